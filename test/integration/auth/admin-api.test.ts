import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway, projectRoot } from "../../helpers/start-gateway.ts";
import { openDatabase, type Database } from "../../../gateway/src/db/open-database.ts";
import { DATABASES, TestClient, type TestDatabase } from "./auth-helpers.ts";

const whoami = new URL("../../fixtures/apps/whoami.ts", import.meta.url).pathname;

describe.each(DATABASES)("admin API on $kind", ({ make }) => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let database: TestDatabase;
  let rows: Database;
  let admin: TestClient;
  let anon: TestClient;

  beforeAll(async () => {
    database = make();
    // registration closed: only the first account (on an empty database) and admins create accounts
    gw = await startGateway(["-m", "--no-allow-registration", "--bcrypt-cost", "4", "--database-url", database.url, whoami]);
    rows = await openDatabase(database.url, projectRoot);
    anon = new TestClient(gw.url);
    await rows.db.user.count(); // connected
  });
  afterAll(async () => {
    await rows?.close();
    await gw?.close();
    await database?.drop();
  });

  const login = async (username: string, password = "a good password") => {
    const res = await new TestClient(gw.url).post("/api/v1/login", { username, password });
    return { res, client: anon.withBearer(res.body?.token ?? "none") };
  };

  it("with registration closed, nobody registers; an admin made on the CLI or by an admin can log in", async () => {
    const closed = await anon.post("/api/v1/register", { username: "walkin", password: "a good password" });
    expect(closed.status).toBe(403);
    expect(closed.body.error.code).toBe("registration_closed");
    const { runAdminCommand } = await import("../../../gateway/src/auth/admin-cli.ts");
    const { PassThrough } = await import("node:stream");
    const stdin = new PassThrough();
    stdin.end("root password 1\n");
    const out = new PassThrough();
    const code = await runAdminCommand(["create", "root", "--database-url", database.url, "--bcrypt-cost", "4"], {}, projectRoot, { stdin, stdout: out, stderr: out });
    expect(code).toBe(0);
    const { res, client } = await login("root", "root password 1");
    expect(res.status).toBe(200);
    admin = client;
    expect((await admin.get("/api/v1/me")).body.user.role).toBe("admin");
  });

  it("an admin creates users (any role); a user cannot use the admin API (403)", async () => {
    const made = await admin.post("/api/v1/admin/users", { username: "uma", password: "a good password" });
    expect(made.status).toBe(201);
    expect(made.body.user).toMatchObject({ username: "uma", role: "user", disabled: false });
    expect((await admin.post("/api/v1/admin/users", { username: "vic", password: "a good password", role: "admin" })).body.user.role).toBe("admin");
    expect((await admin.post("/api/v1/admin/users", { username: "UMA", password: "a good password" })).status).toBe(409);
    const { client: uma } = await login("uma");
    for (const [method, path, body] of [
      ["GET", "/api/v1/admin/users", undefined], ["POST", "/api/v1/admin/users", { username: "x1", password: "a good password" }],
      ["PATCH", "/api/v1/admin/users/vic", { disabled: true }], ["POST", "/api/v1/admin/users/vic/password", { password: "a good password" }],
      ["DELETE", "/api/v1/admin/users/vic", undefined],
    ] as const) {
      const res = await uma.request(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe("admin_required");
    }
    const list = await admin.get("/api/v1/admin/users");
    expect(list.body.users.map((u: { username: string }) => u.username)).toEqual(expect.arrayContaining(["root", "uma", "vic"]));
    expect(JSON.stringify(list.body)).not.toMatch(/passwordHash|\$2b\$/);
  });

  it("a disabled user cannot log in and their tokens stop working; re-enabled, they can again", async () => {
    await admin.post("/api/v1/admin/users", { username: "wes", password: "a good password" });
    const { client: wes } = await login("wes");
    const apiToken = (await wes.post("/api/v1/tokens", { name: "script" })).body.token;
    const disabled = await admin.request("PATCH", "/api/v1/admin/users/wes", { disabled: true });
    expect(disabled.body.user.disabled).toBe(true);
    const refused = await login("wes");
    expect(refused.res.status).toBe(403);
    expect(refused.res.body.error.code).toBe("account_disabled");
    for (const c of [wes, anon.withBearer(apiToken)]) {
      const res = await c.get("/api/v1/me");
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe("account_disabled");
    }
    // a wrong password still says only "wrong credentials"
    expect((await login("wes", "wrong password!")).res.body.error.code).toBe("invalid_credentials");
    await admin.request("PATCH", "/api/v1/admin/users/wes", { disabled: false });
    expect((await login("wes")).res.status).toBe(200);
    expect((await anon.withBearer(apiToken).get("/api/v1/me")).status).toBe(200);
  });

  it("changes roles: a promoted user gets the admin API at once, a demoted one loses it", async () => {
    await admin.post("/api/v1/admin/users", { username: "xena", password: "a good password" });
    const { client: xena } = await login("xena");
    expect((await xena.get("/api/v1/admin/users")).status).toBe(403);
    expect((await admin.request("PATCH", "/api/v1/admin/users/xena", { role: "admin" })).body.user.role).toBe("admin");
    expect((await xena.get("/api/v1/admin/users")).status).toBe(200);
    await admin.request("PATCH", "/api/v1/admin/users/xena", { role: "user" });
    expect((await xena.get("/api/v1/admin/users")).status).toBe(403);
    expect((await admin.request("PATCH", "/api/v1/admin/users/xena", { role: "emperor" })).status).toBe(400);
    expect((await admin.request("PATCH", "/api/v1/admin/users/nobody", { role: "user" })).status).toBe(404);
  });

  it("resets a password: the old one stops, the new one works, their login sessions end", async () => {
    await admin.post("/api/v1/admin/users", { username: "yuri", password: "a good password" });
    const { client: session } = await login("yuri");
    expect((await admin.post("/api/v1/admin/users/yuri/password", { password: "short" })).status).toBe(400);
    expect((await admin.post("/api/v1/admin/users/yuri/password", { password: "brand new password" })).status).toBe(204);
    expect((await login("yuri")).res.status).toBe(401);
    expect((await login("yuri", "brand new password")).res.status).toBe(200);
    expect((await session.get("/api/v1/me")).body.error.code).toBe("token_revoked");
  });

  it("deleting a user removes their tokens (and keeps the audit trail)", async () => {
    await admin.post("/api/v1/admin/users", { username: "zoe", password: "a good password" });
    const { client: zoe } = await login("zoe");
    const token = (await zoe.post("/api/v1/tokens", { name: "t" })).body.token;
    const id = (await rows.db.user.findUniqueOrThrow({ where: { usernameKey: "zoe" } })).id;
    expect(await rows.db.apiToken.count({ where: { userId: id } })).toBe(2);
    expect((await admin.request("DELETE", "/api/v1/admin/users/zoe")).status).toBe(204);
    expect(await rows.db.apiToken.count({ where: { userId: id } })).toBe(0);
    expect((await anon.withBearer(token).get("/api/v1/me")).status).toBe(401);
    expect((await login("zoe")).res.status).toBe(401);
    const audit = await rows.db.auditEvent.findMany({ where: { target: "zoe" } });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["user.create", "login", "user.delete"]));
    expect(audit.find((a) => a.action === "user.delete")).toMatchObject({ actorName: "root" });
    expect((await admin.request("DELETE", "/api/v1/admin/users/zoe")).status).toBe(404);
  });

  it("never leaves the server without an enabled admin", async () => {
    await admin.request("PATCH", "/api/v1/admin/users/vic", { role: "user" });
    for (const [method, body] of [["PATCH", { role: "user" }], ["PATCH", { disabled: true }], ["DELETE", undefined]] as const) {
      const res = await admin.request(method, "/api/v1/admin/users/root", body);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("last_admin");
    }
  });
});
