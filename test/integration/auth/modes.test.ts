import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway } from "../../helpers/start-gateway.ts";
import { BokehTestClient, tokenFromPage } from "../../helpers/bokeh-client.ts";
import { USER_HEADER, createUserHeaderSigner } from "../../../shared/auth/user-header.ts";
import { TestClient } from "./auth-helpers.ts";

const whoami = new URL("../../fixtures/apps/whoami.ts", import.meta.url).pathname;
const sso = new URL("../../fixtures/auth/header-sso.ts", import.meta.url).pathname;
const broken = new URL("../../fixtures/auth/broken-module.ts", import.meta.url).pathname;

/** The whoami app's page title: `user:<JSON of ctx.user>`. */
const userIn = (html: string) => JSON.parse(/<title>user:(.*)<\/title>/.exec(html)![1].replace(/&quot;/g, '"'));

describe("single-user mode (the default)", () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gw = await startGateway(["--bcrypt-cost", "4", whoami]);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("acts as defaultuser, an admin, without asking for a password", async () => {
    const me = await new TestClient(gw.url).get("/api/v1/me");
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user: { username: "defaultuser", role: "admin" }, via: "single-user" });
    const page = await new TestClient(gw.url).get("/whoami", { accept: "text/html" });
    expect(page.status).toBe(200);
    expect(userIn(page.text)).toEqual({ name: "defaultuser", role: "admin" });
    expect((await new TestClient(gw.url).get("/api/v1/admin/users")).status).toBe(200);
  });

  it("has no login: the pages go home and the login API says why", async () => {
    const client = new TestClient(gw.url);
    expect((await client.get("/login")).headers.get("location")).toBe("/");
    const api = await client.post("/api/v1/login", { username: "defaultuser", password: "anything at all" });
    expect(api.status).toBe(404);
    expect(api.body.error.code).toBe("login_not_here");
    expect(api.body.error.message).toMatch(/single-user mode/);
  });

  it("never trusts a user header sent by the client: the worker sees the gateway's signed one", async () => {
    const forged = createUserHeaderSigner().sign({ name: "mallory", role: "admin" });
    const page = await new TestClient(gw.url).get("/whoami", { accept: "text/html", [USER_HEADER]: forged });
    expect(userIn(page.text)).toEqual({ name: "defaultuser", role: "admin" });
  });

  it("the worker ignores a user header signed with another key", async () => {
    const sup = gw.supervisors.get("whoami")!;
    const socketPath = await sup.ready();
    const forged = createUserHeaderSigner().sign({ name: "mallory", role: "admin" });
    const html = await new Promise<string>((resolve, reject) => {
      http.get({ socketPath, path: "/whoami", headers: { [USER_HEADER]: forged } }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve(body));
      }).on("error", reject);
    });
    expect(userIn(html)).toBeNull();
  });

  it("a JSON request without a cookie needs no CSRF token, a form post does", async () => {
    const client = new TestClient(gw.url);
    expect((await client.post("/api/v1/tokens", { name: "script" })).status).toBe(201);
    const form = await client.post("/api/v1/tokens", new URLSearchParams({ name: "cross-site" }));
    expect(form.status).toBe(403);
    expect(form.body.error.code).toBe("csrf_failed");
  });
});

describe("multi-user mode: WebSockets and ctx.user", () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gw = await startGateway(["-m", "--bcrypt-cost", "4", whoami]);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("gives app code the logged-in user, and needs a login for the protocol WebSocket", async () => {
    const browser = new TestClient(gw.url);
    const reg = await browser.post("/api/v1/register", { username: "Olga", password: "olga's password" });
    expect(reg.status).toBe(201);
    const page = await browser.get("/whoami", { accept: "text/html" });
    expect(userIn(page.text)).toEqual({ name: "Olga", role: "admin" });
    const token = tokenFromPage(page.text);
    const ws = `ws://127.0.0.1:${gw.port}/whoami/ws`;
    await expect(BokehTestClient.connect(ws, token)).rejects.toMatchObject({ status: 401 });
    await expect(BokehTestClient.connect(ws, token, { authorization: "Bearer pht_wrong" })).rejects.toMatchObject({ status: 401 });
    const cookie = `plothost_session=${browser.cookies.get("plothost_session")}`;
    const client = await BokehTestClient.connect(ws, token, { cookie });
    expect((await client.next()).header.msgtype).toBe("ACK");
    await client.close();
    const bearer = await BokehTestClient.connect(ws, token, { authorization: `Bearer ${reg.body.token}` });
    expect((await bearer.next()).header.msgtype).toBe("ACK");
    await bearer.close();
  });
});

describe("--auth-module", () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gw = await startGateway(["--auth-module", sso, "--bcrypt-cost", "4", whoami]);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("replaces the built-in login: anonymous browsers go to its loginUrl, password login is off", async () => {
    const anon = new TestClient(gw.url);
    const page = await anon.get("/whoami", { accept: "text/html" });
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe("https://sso.example/login?next=%2Fwhoami");
    expect((await anon.get("/api/v1/me")).status).toBe(401);
    expect((await anon.get("/login")).headers.get("location")).toBe("https://sso.example/login?next=%2F");
    expect((await anon.post("/api/v1/login", { username: "a", password: "b" })).body.error.code).toBe("login_not_here");
  });

  it("uses the user its getUser returns (provisioned on first sight), with its role", async () => {
    const sue = new TestClient(gw.url, { headers: { "x-test-sso-user": "sue" } });
    const me = await sue.get("/api/v1/me");
    expect(me.body).toMatchObject({ user: { username: "sue", role: "user" }, via: "auth-module" });
    expect(userIn((await sue.get("/whoami", { accept: "text/html" })).text)).toEqual({ name: "sue", role: "user" });
    const boss = new TestClient(gw.url, { headers: { "x-test-sso-user": "boss", "x-test-sso-role": "admin" } });
    expect((await boss.get("/api/v1/admin/users")).status).toBe(200);
    // SSO users can still make API tokens for their scripts
    const made = await sue.post("/api/v1/tokens", { name: "script" });
    expect(made.status).toBe(201);
    expect((await new TestClient(gw.url).withBearer(made.body.token).get("/api/v1/me")).body.user.username).toBe("sue");
  });

  it("refuses to start with a module that lacks loginUrl", async () => {
    await expect(startGateway(["--auth-module", broken, whoami])).rejects.toThrow(/exports no loginUrl/);
  });
});
