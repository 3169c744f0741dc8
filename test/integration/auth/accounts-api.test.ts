import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, projectRoot } from "../../helpers/start-gateway.ts";
import { openDatabase, type Database } from "../../../gateway/src/db/open-database.ts";
import { DATABASES, TestClient, type TestDatabase } from "./auth-helpers.ts";

const whoami = new URL("../../fixtures/apps/whoami.ts", import.meta.url).pathname;

describe.each(DATABASES)("accounts API on $kind", ({ make }) => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let database: TestDatabase;
  let rows: Database;
  let anon: TestClient;
  let adminToken: string;

  beforeAll(async () => {
    database = make();
    gw = await startGateway(["-m", "--bcrypt-cost", "4", "--database-url", database.url, whoami]);
    rows = await openDatabase(database.url, projectRoot);
    anon = new TestClient(gw.url);
    const first = await new TestClient(gw.url).post("/api/v1/register", { username: "Root", password: "root password 1" });
    expect(first.status).toBe(201);
    adminToken = first.body.token;
  });
  afterAll(async () => {
    await rows?.close();
    await gw?.close();
    await database?.drop();
  });

  const register = (username: string, password = "a good password") => new TestClient(gw.url).post("/api/v1/register", { username, password });

  it("makes the first account an admin and later ones users", async () => {
    const me = await anon.withBearer(adminToken).get("/api/v1/me");
    expect(me.body.user).toMatchObject({ username: "Root", role: "admin" });
    const later = await register("bob");
    expect(later.status).toBe(201);
    expect(later.body.user).toMatchObject({ username: "bob", role: "user" });
    expect(later.body.token).toMatch(/^pht_[A-Za-z0-9_-]{43}$/);
  });

  it("refuses a duplicate username, ignoring case, with 409", async () => {
    expect((await register("carol")).status).toBe(201);
    const dup = await register("CAROL");
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe("username_taken");
  });

  it("refuses weak, empty and overlong passwords with 400 and the rule", async () => {
    for (const password of ["short", "", "        ", "x".repeat(73), "dave-the-user"]) {
      const res = await new TestClient(gw.url).post("/api/v1/register", { username: "dave-the-user", password });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("weak_password");
      expect(res.body.error.message).toMatch(/at least 8 characters/);
    }
    const noPassword = await new TestClient(gw.url).post("/api/v1/register", { username: "dave-the-user" });
    expect(noPassword.body.error.code).toBe("weak_password");
    const badName = await register("no spaces allowed");
    expect(badName.status).toBe(400);
    expect(badName.body.error.code).toBe("invalid_username");
  });

  it("logs in with the right password (any case of the username) and refuses a wrong one", async () => {
    await register("erin", "erin's password");
    const client = new TestClient(gw.url);
    const ok = await client.post("/api/v1/login", { username: "ERIN", password: "erin's password" });
    expect(ok.status).toBe(200);
    expect(ok.body.user.username).toBe("erin");
    expect(ok.body.token).toMatch(/^pht_/);
    const cookie = ok.headers.getSetCookie().find((c) => c.startsWith("plothost_session="))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/); // plain HTTP here
    expect((await client.get("/api/v1/me")).body.user.username).toBe("erin"); // the cookie works
    const wrong = await new TestClient(gw.url).post("/api/v1/login", { username: "erin", password: "not it at all" });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe("invalid_credentials");
    const unknown = await new TestClient(gw.url).post("/api/v1/login", { username: "nobody-here", password: "whatever it is" });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toEqual(wrong.body.error); // same answer: no username probing
    expect((await new TestClient(gw.url).post("/api/v1/login", {})).status).toBe(400);
  });

  it("logout ends the session: its cookie and token stop working", async () => {
    await register("frank");
    const client = new TestClient(gw.url);
    const login = await client.post("/api/v1/login", { username: "frank", password: "a good password" });
    const logout = await client.post("/api/v1/logout", undefined, { "x-csrf-token": client.cookies.get("plothost_csrf")! });
    expect(logout.status).toBe(204);
    expect(client.cookies.has("plothost_session")).toBe(false);
    const reused = await new TestClient(gw.url).withBearer(login.body.token).get("/api/v1/me");
    expect(reused.status).toBe(401);
    expect(reused.body.error.code).toBe("token_revoked");
  });

  it("creates, lists and revokes API tokens; a revoked token gets 401", async () => {
    const user = anon.withBearer((await register("gina")).body.token);
    const made = await user.post("/api/v1/tokens", { name: "ci", scopes: ["read", "publish"] });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: "ci", kind: "api", scopes: ["read", "publish"], expiresAt: null });
    expect(made.body.prefix).toBe(made.body.token.slice(0, 10));
    const list = await user.get("/api/v1/tokens");
    const listed = list.body.tokens.find((t: { id: number }) => t.id === made.body.id);
    expect(listed).toMatchObject({ name: "ci", prefix: made.body.prefix });
    expect(JSON.stringify(list.body)).not.toContain(made.body.token);
    const ci = anon.withBearer(made.body.token);
    expect((await ci.get("/api/v1/me")).status).toBe(200);
    expect((await user.request("DELETE", `/api/v1/tokens/${made.body.id}`)).status).toBe(204);
    const after = await ci.get("/api/v1/me");
    expect(after.status).toBe(401);
    expect(after.body.error).toMatchObject({ code: "token_revoked" });
    expect(after.body.error.message).toMatch(/POST \/api\/v1\/tokens/);
    expect((await user.get("/api/v1/tokens")).body.tokens.some((t: { id: number }) => t.id === made.body.id)).toBe(false);
    expect((await user.request("DELETE", "/api/v1/tokens/999999")).status).toBe(404);
    const garbage = await anon.withBearer("pht_not-a-real-token").get("/api/v1/me");
    expect(garbage.status).toBe(401);
    expect(garbage.body.error.code).toBe("token_invalid");
  });

  it("an expired token gets 401 token_expired", async () => {
    const user = anon.withBearer((await register("hank")).body.token);
    const soon = new Date(Date.now() + 3600_000).toISOString();
    const made = await user.post("/api/v1/tokens", { name: "short", expiresAt: soon });
    expect(made.body.expiresAt).toBe(soon);
    await rows.db.apiToken.update({ where: { id: made.body.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const res = await anon.withBearer(made.body.token).get("/api/v1/me");
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("token_expired");
    const past = await user.post("/api/v1/tokens", { name: "past", expiresAt: "2000-01-01T00:00:00Z" });
    expect(past.status).toBe(400);
  });

  it("enforces token scopes", async () => {
    const user = anon.withBearer((await register("ivy")).body.token);
    const publishOnly = anon.withBearer((await user.post("/api/v1/tokens", { name: "p", scopes: ["publish"] })).body.token);
    const denied = await publishOnly.get("/api/v1/tokens");
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe("insufficient_scope");
    expect((await publishOnly.get("/whoami", { accept: "application/json" })).status).toBe(403);
    // a token cannot mint a token with more than it has
    const escalate = await publishOnly.post("/api/v1/tokens", { name: "more", scopes: ["read"] });
    expect(escalate.status).toBe(403);
    // a user cannot make admin tokens at all
    const adminScope = await user.post("/api/v1/tokens", { name: "adm", scopes: ["admin"] });
    expect(adminScope.status).toBe(403);
    expect(adminScope.body.error.code).toBe("admin_required");
    // an admin's token without the admin scope cannot use the admin API
    const root = anon.withBearer(adminToken);
    const readOnly = anon.withBearer((await root.post("/api/v1/tokens", { name: "r", scopes: ["read"] })).body.token);
    const admin = await readOnly.get("/api/v1/admin/users");
    expect(admin.status).toBe(403);
    expect(admin.body.error.code).toBe("insufficient_scope");
    expect((await anon.withBearer((await root.post("/api/v1/tokens", { name: "a", scopes: ["admin"] })).body.token).get("/api/v1/admin/users")).status).toBe(200);
    expect((await user.post("/api/v1/tokens", { name: "x", scopes: ["fly"] })).status).toBe(400);
  });

  it("needs a user for every API call and page; browsers are sent to the login page", async () => {
    const api = await anon.get("/api/v1/tokens");
    expect(api.status).toBe(401);
    expect(api.body.error.code).toBe("unauthenticated");
    const page = await anon.get("/whoami?x=1", { accept: "text/html" });
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe("/login?next=%2Fwhoami%3Fx%3D1");
    expect((await anon.get("/", { accept: "text/html" })).status).toBe(302);
    expect((await anon.get("/static/js/bokeh.min.js")).status).toBe(200); // public
    expect((await anon.get("/login")).status).toBe(200);
  });

  it("stores no plaintext password or token", async () => {
    const password = "plaintext detector 42";
    const reg = await register("jack", password);
    const made = await anon.withBearer(reg.body.token).post("/api/v1/tokens", { name: "t" });
    const user = await rows.db.user.findUniqueOrThrow({ where: { usernameKey: "jack" } });
    expect(user.passwordHash).toMatch(/^\$2[aby]\$04\$/);
    const tokens = await rows.db.apiToken.findMany({ where: { userId: user.id } });
    expect(tokens).toHaveLength(2);
    const dump = JSON.stringify({ user, tokens, audit: await rows.db.auditEvent.findMany() });
    for (const secret of [password, reg.body.token, made.body.token, made.body.token.slice(4)]) expect(dump).not.toContain(secret);
    expect(tokens.map((t) => t.hash)).toContain((await import("node:crypto")).createHash("sha256").update(made.body.token).digest("hex"));
  });

  it("rejects cookie-authenticated changes without the CSRF token", async () => {
    await register("kate");
    const browser = new TestClient(gw.url);
    await browser.post("/api/v1/login", { username: "kate", password: "a good password" });
    const forged = await browser.post("/api/v1/tokens", { name: "evil" });
    expect(forged.status).toBe(403);
    expect(forged.body.error.code).toBe("csrf_failed");
    const wrong = await browser.post("/api/v1/tokens", { name: "evil" }, { "x-csrf-token": "A".repeat(43) });
    expect(wrong.status).toBe(403);
    const ok = await browser.post("/api/v1/tokens", { name: "fine" }, { "x-csrf-token": browser.cookies.get("plothost_csrf")! });
    expect(ok.status).toBe(201);
    // a cross-site form post (no JSON, no token) cannot log anyone in either
    const form = await new TestClient(gw.url).post("/api/v1/login", new URLSearchParams({ username: "kate", password: "a good password" }));
    expect(form.status).toBe(403);
    expect(form.body.error.code).toBe("csrf_failed");
  });

  it("leaves other /api/v1 routes' bodies alone (no accounts body limit or parsing there)", async () => {
    const big = { data: "x".repeat(100_000) };
    const res = await anon.withBearer(adminToken).post("/api/v1/not-an-accounts-route", big);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
    expect((await anon.withBearer(adminToken).post("/api/v1/tokens", big)).status).toBe(413);
  });

  it("answers malformed bodies with 400, not 500", async () => {
    const bad = await fetch(`${gw.url}/api/v1/login`, { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe("bad_request");
  });
});
