import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../helpers/start-gateway.ts";
import { openDatabase, type Database } from "../../../gateway/src/db/open-database.ts";
import { PrismaAccountStore } from "../../../gateway/src/auth/prisma-account-store.ts";
import { AccountService } from "../../../gateway/src/auth/account-service.ts";
import { AdminService } from "../../../gateway/src/auth/admin-service.ts";
import { TokenService } from "../../../gateway/src/auth/token-service.ts";
import { LoginThrottle, ThrottledError } from "../../../gateway/src/auth/login-throttle.ts";
import { PasswordHasher } from "../../../gateway/src/auth/password-hasher.ts";
import { sqliteDatabase, type TestDatabase } from "./auth-helpers.ts";

/** The account rules with a clock the tests move, on a real SQLite file. */
describe("AccountService with a controlled clock", () => {
  let database: TestDatabase;
  let opened: Database;
  let accounts: AccountService;
  let tokens: TokenService;
  let admin: AdminService;
  let store: PrismaAccountStore;
  let clock = new Date("2030-01-01T00:00:00Z").getTime();
  const now = () => new Date(clock);
  const minutes = (m: number) => (clock += m * 60_000);
  const origin = (ip = "10.0.0.1") => ({ ip });

  beforeAll(async () => {
    database = sqliteDatabase();
    opened = await openDatabase(database.url, projectRoot);
    store = new PrismaAccountStore(opened.db);
    const hasher = new PasswordHasher(4);
    accounts = new AccountService({ store, hasher, throttle: new LoginThrottle(store, { maxFailures: 5, windowMs: 15 * 60_000, now }), allowRegistration: true, now });
    tokens = new TokenService(accounts, now);
    admin = new AdminService(accounts, hasher, now);
  });
  afterAll(async () => {
    await opened?.close();
    await database?.drop();
  });

  const fail = (username: string, ip: string) => accounts.login(username, "wrong password", origin(ip)).then(() => "ok", (e: Error) => e);

  it("does not count defaultuser as the first account: the first real one is the admin", async () => {
    expect((await accounts.defaultPrincipal()).username).toBe("defaultuser");
    const first = await accounts.createUser({ username: "first", password: "first password" }, origin());
    expect(first.role).toBe("admin");
    expect((await accounts.createUser({ username: "second", password: "second password" }, origin())).role).toBe("user");
    await expect(accounts.createUser({ username: "DefaultUser", password: "a good password" }, origin())).rejects.toMatchObject({ code: "username_taken" });
    await expect(accounts.login("defaultuser", "anything at all", origin())).rejects.toMatchObject({ code: "invalid_credentials" });
  });

  it("throttles by username across IPs, then lets the user in once the oldest failure leaves the 15-minute window", async () => {
    await accounts.createUser({ username: "tina", password: "tina password" }, origin());
    for (let i = 0; i < 5; i++) {
      expect(await fail("tina", `192.0.2.${i}`)).toMatchObject({ code: "invalid_credentials" });
      minutes(1);
    }
    const blocked = await accounts.login("tina", "tina password", origin("192.0.2.99")).catch((e: unknown) => e);
    expect(blocked).toBeInstanceOf(ThrottledError);
    expect((blocked as ThrottledError).retryAfterS).toBe(10 * 60); // first failure at -5 min, window 15 min
    minutes(10);
    expect((await accounts.login("TINA", "tina password", origin("192.0.2.99"))).username).toBe("tina");
  });

  it("throttles by IP across usernames, without touching other IPs", async () => {
    for (let i = 0; i < 5; i++) await fail(`ghost${i}`, "198.51.100.7");
    expect(await fail("ghost9", "198.51.100.7")).toBeInstanceOf(ThrottledError);
    expect(await fail("ghost9", "198.51.100.8")).toMatchObject({ code: "invalid_credentials" });
    minutes(16);
    expect(await fail("ghost9", "198.51.100.7")).toMatchObject({ code: "invalid_credentials" });
  });

  it("sessions follow the user's role; tokens lose scopes the role no longer allows", async () => {
    const u = await accounts.createUser({ username: "rolf", password: "rolf password" }, origin());
    await store.updateUser(u.id, { role: "admin" });
    const session = await accounts.startSession((await store.findUserById(u.id))!);
    const p = await accounts.authenticateSecret(session.secret);
    const made = await tokens.create(p, { name: "adm", scopes: ["read", "admin"] }, origin());
    expect([...(await accounts.authenticateSecret(made.secret)).scopes]).toEqual(["read", "admin"]);
    await store.updateUser(u.id, { role: "user" });
    expect([...(await accounts.authenticateSecret(made.secret)).scopes]).toEqual(["read"]);
    expect((await accounts.authenticateSecret(session.secret)).scopes.has("admin")).toBe(false);
    expect((await accounts.authenticateSecret(session.secret)).scopes.has("deploy")).toBe(true);
  });

  it("expires sessions after 14 days and tokens at their expiry; records use at most once a minute", async () => {
    const u = await accounts.createUser({ username: "exp", password: "exp password" }, origin());
    const session = await accounts.startSession(u);
    const p = await accounts.authenticateSecret(session.secret);
    const t = await tokens.create(p, { name: "hour", expiresAt: new Date(clock + 3600_000).toISOString() }, origin());
    const lastUsed = async () => (await store.findTokenByHash((await import("../../../gateway/src/auth/token-secrets.ts")).hashSecret(t.secret)))!.token.lastUsedAt;
    await accounts.authenticateSecret(t.secret);
    const first = await lastUsed();
    expect(first).toEqual(now());
    minutes(0.5);
    await accounts.authenticateSecret(t.secret);
    expect(await lastUsed()).toEqual(first);
    minutes(1);
    await accounts.authenticateSecret(t.secret);
    expect(await lastUsed()).toEqual(now());
    minutes(60);
    await expect(accounts.authenticateSecret(t.secret)).rejects.toMatchObject({ code: "token_expired", status: 401 });
    minutes(14 * 24 * 60);
    await expect(accounts.authenticateSecret(session.secret)).rejects.toMatchObject({ code: "token_expired" });
  });

  it("provisions --auth-module users on first sight and applies the module's role", async () => {
    const p = await accounts.externalPrincipal("sso-sam", undefined, origin());
    expect(p).toMatchObject({ username: "sso-sam", role: "user", via: "auth-module" });
    expect((await store.findUserByKey("sso-sam"))?.passwordHash).toBeNull();
    expect((await accounts.externalPrincipal("sso-sam", "admin", origin())).role).toBe("admin");
    await admin.update("sso-sam", { disabled: true }, origin());
    await expect(accounts.externalPrincipal("sso-sam", undefined, origin())).rejects.toMatchObject({ code: "account_disabled" });
    await expect(accounts.externalPrincipal("not a valid name", undefined, origin())).rejects.toMatchObject({ code: "invalid_username" });
  });

  it("refuses self-registration when it is off, but not an admin's", async () => {
    const closed = new AccountService({ store, hasher: new PasswordHasher(4), throttle: new LoginThrottle(store), allowRegistration: false, now });
    await expect(closed.createUser({ username: "walkin", password: "a good password" }, origin())).rejects.toMatchObject({ code: "registration_closed" });
    expect((await closed.createUser({ username: "invited", password: "a good password", role: "admin" }, origin(), true)).role).toBe("admin");
    await expect(closed.createUser({ username: "walkin2", password: "a good password", role: "admin" }, origin())).rejects.toMatchObject({ code: "registration_closed" });
    await expect(accounts.createUser({ username: "walkin3", password: "a good password", role: "admin" }, origin())).rejects.toMatchObject({ code: "bad_request" });
  });
});
