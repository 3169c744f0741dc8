import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway } from "../../helpers/start-gateway.ts";
import { BokehTestClient, tokenFromPage } from "../../helpers/bokeh-client.ts";
import { pullDocReq } from "../../../shared/protocol/index.ts";
import { TestClient } from "../auth/auth-helpers.ts";

const whoami = new URL("../../fixtures/apps/whoami.ts", import.meta.url).pathname;
const fixtureDoc = JSON.parse(fs.readFileSync(new URL("../../fixtures/bokeh-3.6-docs/vbar_categorical.json", import.meta.url), "utf8"));

describe("the admin console's API", () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let root: TestClient;
  let nora: TestClient;
  let noraToken: string;
  let rootToken: string;
  const open: BokehTestClient[] = [];

  const register = async (username: string) => {
    const res = await new TestClient(gw.url).post("/api/v1/register", { username, password: `${username} password 1` });
    expect(res.status).toBe(201);
    return res.body.token as string;
  };
  const publish = async (client: TestClient, name: string, visibility = "public") => {
    const res = await client.post(`/api/v1/docs?name=${name}&visibility=${visibility}`, fixtureDoc);
    expect(res.status).toBe(201);
    return res.body as { id: string; publicUrl: string };
  };
  /** Opens a Bokeh session on a page's socket (the page gives the token) with the given headers. */
  const session = async (pagePath: string, headers: Record<string, string> = {}) => {
    const page = await fetch(`${gw.url}${pagePath}`, { headers });
    expect(page.status).toBe(200);
    const wsPath = `${new URL(pagePath, gw.url).pathname.replace(/\/$/, "")}/ws${pagePath.includes("?") ? `?${pagePath.split("?")[1]}` : ""}`;
    const token = tokenFromPage(await page.text());
    const client = await BokehTestClient.connect(`ws://127.0.0.1:${gw.port}${wsPath}`, token, headers);
    open.push(client);
    return Object.assign(client, { token });
  };

  beforeAll(async () => {
    gw = await startGateway(["-m", "--bcrypt-cost", "4", whoami]);
    rootToken = await register("root");
    root = new TestClient(gw.url).withBearer(rootToken);
    noraToken = await register("Nora");
    nora = new TestClient(gw.url).withBearer(noraToken);
    for (const name of ["amy", "bob", "cat"]) await register(name);
  });
  afterAll(async () => {
    for (const c of open) c.ws.terminate();
    await gw?.close();
  });

  it("lists users with their counts, searchable, filterable by status, paged", async () => {
    await publish(nora, "n1");
    const all = await root.get("/api/v1/admin/user-summaries");
    expect(all.status).toBe(200);
    expect(all.body.users.map((u: { username: string }) => u.username)).toEqual(["root", "Nora", "amy", "bob", "cat"]);
    expect(all.body.users[1]).toMatchObject({ role: "user", disabled: false, docs: 1, apps: 0, activeTokens: 1 });
    expect((await root.get("/api/v1/admin/user-summaries?q=NO")).body.users.map((u: { username: string }) => u.username)).toEqual(["Nora"]);
    expect((await root.get("/api/v1/admin/user-summaries?status=admin")).body.users.map((u: { username: string }) => u.username)).toEqual(["root"]);
    const page2 = await root.get("/api/v1/admin/user-summaries?perPage=2&page=2");
    expect(page2.body).toMatchObject({ total: 5, page: 2, perPage: 2 });
    expect(page2.body.users.map((u: { username: string }) => u.username)).toEqual(["amy", "bob"]);
  });

  it("revoking a user's tokens logs them out everywhere and is audited", async () => {
    const token = await (await new TestClient(gw.url).post("/api/v1/login", { username: "bob", password: "bob password 1" })).body.token;
    const bob = new TestClient(gw.url).withBearer(token);
    expect((await bob.get("/api/v1/me")).status).toBe(200);
    const res = await root.request("DELETE", "/api/v1/admin/users/BOB/tokens");
    expect(res.body).toEqual({ revoked: 2 });
    expect((await bob.get("/api/v1/me")).body.error.code).toBe("token_revoked");
    const audit = await root.get("/api/v1/admin/audit?action=user.tokens_revoke");
    expect(audit.body.events[0]).toMatchObject({ actor: "root", action: "user.tokens_revoke", target: "bob" });
    expect((await root.request("DELETE", "/api/v1/admin/users/nobody/tokens")).body.error.code).toBe("user_not_found");
  });

  it("lists every published document; a visibility change cuts off public viewers at once; delete", async () => {
    const mine = await publish(root, "r1", "private");
    const theirs = await publish(nora, "n2", "public");
    const list = await root.get("/api/v1/admin/docs");
    const ids = list.body.documents.map((d: { id: string }) => d.id);
    expect(ids).toEqual(expect.arrayContaining([mine.id, theirs.id]));
    const filtered = (await root.get("/api/v1/admin/docs?owner=nora&visibility=public")).body.documents as Array<{ id: string; owner: string; visibility: string }>;
    expect(filtered.map((d) => d.id)).toContain(theirs.id);
    expect(new Set(filtered.map((d) => `${d.owner}/${d.visibility}`))).toEqual(new Set(["Nora/public"]));
    const row = (await root.get(`/api/v1/admin/docs?q=n2`)).body.documents[0];
    expect(row).toMatchObject({ id: theirs.id, owner: "Nora", visibility: "public", publicUrl: theirs.publicUrl, viewers: 0 });
    expect(row.sizeBytes).toBeGreaterThan(100);

    const viewer = await session(`/doc/${theirs.id}?public=true`);
    await expect.poll(async () => (await root.get(`/api/v1/admin/docs?q=n2`)).body.documents[0].viewers).toBe(1);
    expect((await root.request("PATCH", `/api/v1/admin/docs/${theirs.id}`, { visibility: "secret" })).status).toBe(400);
    const changed = await root.request("PATCH", `/api/v1/admin/docs/${theirs.id}`, { visibility: "private" });
    expect(changed.body).toMatchObject({ visibility: "private", publicUrl: null });
    expect((await viewer.closed).code).toBe(1008);
    expect((await fetch(theirs.publicUrl)).status).toBe(404);

    expect((await root.request("DELETE", `/api/v1/admin/docs/${theirs.id}`)).status).toBe(204);
    expect((await nora.get(`/api/v1/docs/${theirs.id}`)).status).toBe(404);
    const audit = (await root.get("/api/v1/admin/audit?action=doc.")).body.events.map((e: { action: string; target: string }) => [e.action, e.target]);
    expect(audit).toEqual([["doc.delete", theirs.id], ["doc.visibility.private", theirs.id]]);
  });

  it("lists live sessions per app and document and ends one", async () => {
    const doc = await publish(nora, "n3", "public");
    const auth = { authorization: `Bearer ${noraToken}` };
    const appSession = await session("/whoami", auth);
    appSession.send(pullDocReq());
    await appSession.next((m) => m.header.msgtype === "PULL-DOC-REPLY");
    await session(`/doc/${doc.id}`, auth);
    const listed = async () => (await root.get("/api/v1/admin/sessions")).body.sessions as Array<Record<string, unknown>>;
    await expect.poll(async () => (await listed()).filter((s) => s.user === "Nora").length).toBe(2);
    const sessions = await listed();
    const app = sessions.find((s) => s.kind === "app")!;
    const workers = (await root.get("/api/v1/admin/workers")).body.apps;
    expect(app).toMatchObject({ target: "whoami", user: "Nora", workerPid: workers[0].workers[0].pid });
    expect(sessions.find((s) => s.kind === "doc")).toMatchObject({ target: doc.id, workerPid: null });
    expect((await root.request("DELETE", `/api/v1/admin/sessions/${String(app.id)}`)).status).toBe(204);
    await appSession.closed;
    // Reconnecting to the ended session (as BokehJS tries to) is refused; a new session is fine.
    await expect(BokehTestClient.connect(`ws://127.0.0.1:${gw.port}/whoami/ws`, appSession.token, auth)).rejects.toMatchObject({ status: 403 });
    await session("/whoami", auth);
    expect((await listed()).some((s) => s.id === app.id)).toBe(false);
    expect((await root.request("DELETE", "/api/v1/admin/sessions/nope")).status).toBe(404);
    expect((await root.get("/api/v1/admin/audit?action=session.end")).body.events[0].target).toBe("app:whoami (Nora)");
  });

  it("shows the served apps' workers and restarts one", async () => {
    const apps = async () => (await root.get("/api/v1/admin/workers")).body.apps as Array<{ name: string; state: string; restarts: number; workers: Array<{ pid: number; memoryBytes: number }> }>;
    await expect.poll(async () => (await apps())[0].state, { timeout: 20_000 }).toBe("running");
    const before = (await apps())[0];
    expect(before.name).toBe("whoami");
    await expect.poll(async () => (await apps())[0].workers[0].memoryBytes, { timeout: 5000 }).toBeGreaterThan(10 * 1024 * 1024);
    const res = await root.post("/api/v1/admin/workers/whoami/restart");
    expect(res.status).toBe(202);
    expect(res.body.state).toBe("restarting");
    await expect.poll(async () => {
      const a = (await apps())[0];
      return a.state === "running" && a.workers[0].pid !== before.workers[0].pid;
    }, { timeout: 20_000 }).toBe(true);
    expect((await apps())[0].restarts).toBe(before.restarts + 1);
    expect((await root.post("/api/v1/admin/workers/nope/restart")).body.error.code).toBe("app_not_found");
  });

  it("reads the audit log filtered by who, what (or a family) and target, a page at a time", async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push(`${(await root.post("/api/v1/tokens", { name: `t${i}` })).body.id} t${i}`);
    const first = await root.get("/api/v1/admin/audit?actor=ROOT&action=token.create&limit=3");
    expect(first.body.events.map((e: { target: string }) => e.target)).toEqual(made.slice(2).reverse());
    expect(first.body.filter).toEqual({ actor: "ROOT", action: "token.create", target: "" });
    const next = await root.get(`/api/v1/admin/audit?actor=root&action=token.create&limit=3&before=${first.body.nextBefore}`);
    expect(next.body.events).toHaveLength(2);
    expect(next.body.nextBefore).toBeNull();
    const family = (await root.get("/api/v1/admin/audit?action=user.&target=amy")).body.events;
    expect(family.map((e: { action: string }) => e.action)).toEqual(["user.register"]);
  });

  it("overview numbers; cookie-riding changes need the CSRF token; non-admins and anonymous callers are refused", async () => {
    const o = await root.get("/api/v1/admin/overview");
    expect(o.body).toMatchObject({ users: 5, admins: 1, apps: 1 });
    expect(o.body.metrics).toMatchObject({ appsRunning: expect.any(Number), sessions: expect.any(Number) });

    const browser = new TestClient(gw.url);
    expect((await browser.post("/api/v1/login", { username: "root", password: "root password 1" })).status).toBe(200);
    const doc = await publish(root, "csrf");
    const without = await browser.request("PATCH", `/api/v1/admin/docs/${doc.id}`, { visibility: "private" });
    expect(without.body.error.code).toBe("csrf_failed");
    const withToken = await browser.request("PATCH", `/api/v1/admin/docs/${doc.id}`, { visibility: "private" }, { "x-csrf-token": await browser.csrf() });
    expect(withToken.status).toBe(200);

    for (const [method, p] of [["GET", "/api/v1/admin/overview"], ["GET", "/api/v1/admin/sessions"], ["POST", "/api/v1/admin/workers/whoami/restart"], ["PATCH", `/api/v1/admin/docs/${doc.id}`]]) {
      expect((await nora.request(method, p, method === "GET" ? undefined : {})).body.error.code).toBe("admin_required");
      expect((await new TestClient(gw.url).request(method, p, method === "GET" ? undefined : {})).status).toBe(401);
    }
    const readOnly = (await root.post("/api/v1/tokens", { scopes: ["read"] })).body.token;
    expect((await new TestClient(gw.url).withBearer(readOnly).get("/api/v1/admin/overview")).body.error.code).toBe("insufficient_scope");
    const page = await new TestClient(gw.url).withBearer(readOnly).get("/admin/users", { accept: "text/html" });
    expect([page.status, page.text.includes("lacks the <code>admin</code> scope")]).toEqual([403, true]);
  });

  it("the overview is a live Bokeh session for admins only, streaming a sample a second", async () => {
    const auth = { authorization: `Bearer ${rootToken}` };
    const script = await fetch(`${gw.url}/admin/overview/autoload.js?bokeh-autoload-element=x`, { headers: auth });
    expect(script.status).toBe(200);
    const token = tokenFromPage(await script.text());
    const viewer = await BokehTestClient.connect(`ws://127.0.0.1:${gw.port}/admin/overview/ws`, token, auth);
    open.push(viewer);
    viewer.send(pullDocReq());
    const reply = await viewer.next((m) => m.header.msgtype === "PULL-DOC-REPLY");
    expect(JSON.stringify(reply.content)).toContain("overview_metrics");
    const patch = await viewer.next((m) => m.header.msgtype === "PATCH-DOC", 5000);
    expect(JSON.stringify(patch.content)).toContain("ColumnsStreamed");

    await expect(BokehTestClient.connect(`ws://127.0.0.1:${gw.port}/admin/overview/ws`, token, { authorization: `Bearer ${noraToken}` }))
      .rejects.toMatchObject({ status: 403 });
    await expect(BokehTestClient.connect(`ws://127.0.0.1:${gw.port}/admin/overview/ws`, token)).rejects.toMatchObject({ status: 401 });
  });
});

describe("the admin console in single-user mode", () => {
  it("is open to the built-in admin without a login", async () => {
    const gw = await startGateway([]);
    try {
      const page = await fetch(`${gw.url}/admin/users`, { headers: { accept: "text/html" } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('data-user-row="defaultuser"');
      expect((await fetch(`${gw.url}/api/v1/admin/overview`)).status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});
