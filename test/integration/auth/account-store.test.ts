import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../helpers/start-gateway.ts";
import { openDatabase, type Database } from "../../../gateway/src/db/open-database.ts";
import { PrismaAccountStore } from "../../../gateway/src/auth/prisma-account-store.ts";
import { DuplicateUsernameError, UserOwnsContentError, type AccountStore } from "../../../gateway/src/auth/account-store.ts";
import { DATABASES, type TestDatabase } from "./auth-helpers.ts";

/** The AccountStore contract, run against each database. */
describe.each(DATABASES)("PrismaAccountStore on $kind", ({ make }) => {
  let database: TestDatabase;
  let opened: Database;
  let store: AccountStore;
  let n = 0;
  const user = (role: "admin" | "user" = "user") => {
    const name = `User${++n}`;
    return store.createUser({ username: name, usernameKey: name.toLowerCase(), passwordHash: "$2b$04$x", role });
  };
  const token = (userId: number, extra: Partial<{ kind: "api" | "session"; expiresAt: Date | null }> = {}) =>
    store.createToken({ userId, kind: "api", name: "t", hash: `h${++n}`, prefix: "pht_abcdef", scopes: ["read", "publish"], expiresAt: null, ...extra });

  beforeAll(async () => {
    database = make();
    opened = await openDatabase(database.url, projectRoot);
    store = new PrismaAccountStore(opened.db);
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it("creates and finds users; usernames are unique by key", async () => {
    const u = await user();
    expect(await store.findUserByKey(u.username.toLowerCase())).toEqual(u);
    expect(await store.findUserById(u.id)).toEqual(u);
    expect(await store.findUserByKey("nobody")).toBeNull();
    await expect(store.createUser({ username: u.username.toUpperCase(), usernameKey: u.username.toLowerCase(), passwordHash: null, role: "user" }))
      .rejects.toBeInstanceOf(DuplicateUsernameError);
    const updated = await store.updateUser(u.id, { role: "admin", disabled: true, lastLoginAt: new Date(5000) });
    expect(updated).toMatchObject({ role: "admin", disabled: true, lastLoginAt: new Date(5000) });
    expect((await store.listUsers()).map((x) => x.id)).toContain(u.id);
  });

  it("knows the first account and counts enabled admins, leaving out the excepted one", async () => {
    const first = (await store.listUsers())[0];
    expect(await store.firstUserId("nobody")).toBe(first.id);
    expect(await store.firstUserId(first.username.toLowerCase())).not.toBe(first.id);
    const before = await store.countEnabledAdmins("nobody");
    const a = await user("admin");
    expect(await store.countEnabledAdmins("nobody")).toBe(before + 1);
    expect(await store.countEnabledAdmins(a.username.toLowerCase())).toBe(before);
    await store.updateUser(a.id, { disabled: true });
    expect(await store.countEnabledAdmins("nobody")).toBe(before);
  });

  it("finds tokens by hash with their owner; lists only active ones; revokes", async () => {
    const u = await user();
    const other = await user();
    const t1 = await token(u.id);
    const t2 = await token(u.id, { kind: "session", expiresAt: new Date(Date.now() + 60_000) });
    const expired = await token(u.id, { expiresAt: new Date(Date.now() - 1) });
    const found = await store.findTokenByHash(`h${n - 2}`);
    expect(found?.token).toEqual(t1);
    expect(found?.user.id).toBe(u.id);
    expect(t1.scopes).toEqual(["read", "publish"]);
    expect((await store.listActiveTokens(u.id, new Date())).map((t) => t.id)).toEqual([t2.id, t1.id]);
    expect(await store.revokeToken(other.id, t1.id, new Date())).toBe(false); // not theirs
    expect(await store.revokeToken(u.id, t1.id, new Date())).toBe(true);
    expect(await store.revokeToken(u.id, t1.id, new Date())).toBe(true); // idempotent
    expect(await store.revokeToken(u.id, 987654, new Date())).toBe(false);
    expect((await store.listActiveTokens(u.id, new Date())).map((t) => t.id)).toEqual([t2.id]);
    expect(await store.revokeTokensOfKind(u.id, "session", new Date())).toBe(1);
    expect(await store.listActiveTokens(u.id, new Date())).toEqual([]);
    expect((await store.findTokenByHash(`h${n}`))?.token.id).toBe(expired.id);
    const at = new Date(Math.floor(Date.now() / 1000) * 1000);
    await store.touchToken(t1.id, at);
    expect((await store.findTokenByHash(`h${n - 2}`))?.token.lastUsedAt).toEqual(at);
  });

  it("deletes a user with their tokens, keeps their audit events, and refuses while they own apps", async () => {
    const u = await user();
    await token(u.id);
    await store.audit({ actorId: u.id, actorName: u.username, action: "test.did", target: "x", ip: "10.0.0.1", at: new Date() });
    await store.deleteUser(u.id);
    expect(await store.findUserById(u.id)).toBeNull();
    expect(await opened.db.apiToken.count({ where: { userId: u.id } })).toBe(0);
    const kept = await opened.db.auditEvent.findFirst({ where: { actorName: u.username, action: "test.did" } });
    expect(kept).toMatchObject({ actorId: null, target: "x", ip: "10.0.0.1" });
    const owner = await user();
    await opened.db.app.create({ data: { name: `app-${n}`, ownerId: owner.id } });
    await expect(store.deleteUser(owner.id)).rejects.toBeInstanceOf(UserOwnsContentError);
    expect(await store.findUserById(owner.id)).not.toBeNull();
  });

  it("finds recent audit events by target or ip, newest first, within a window and a limit", async () => {
    const t0 = new Date("2030-01-01T00:00:00Z").getTime();
    for (let i = 0; i < 4; i++) {
      await store.audit({ actorId: null, actorName: null, action: "probe", target: "t", ip: i % 2 ? "1.1.1.1" : "2.2.2.2", at: new Date(t0 + i * 1000) });
    }
    expect(await store.recentEvents("probe", { target: "t" }, new Date(t0 - 1), 10)).toEqual([3, 2, 1, 0].map((i) => new Date(t0 + i * 1000)));
    expect(await store.recentEvents("probe", { target: "t" }, new Date(t0), 10)).toHaveLength(3); // strictly after
    expect(await store.recentEvents("probe", { target: "t" }, new Date(t0 + 1500), 10)).toHaveLength(2);
    expect(await store.recentEvents("probe", { ip: "1.1.1.1" }, new Date(t0), 10)).toEqual([new Date(t0 + 3000), new Date(t0 + 1000)]);
    expect(await store.recentEvents("probe", { target: "t" }, new Date(t0), 1)).toEqual([new Date(t0 + 3000)]);
    expect(await store.recentEvents("other", { target: "t" }, new Date(t0), 10)).toEqual([]);
  });
});
