import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthError, CredentialsError, NotFoundError, ServerUnavailableError, Session, ValidationError, serverKey } from "../../../client/index.ts";
import { PASSWORD, closedPort, sessionFor, startMultiUser, removeTempHomes, tempHome, username, type Gw } from "./client-helpers.ts";

afterAll(removeTempHomes);

const mode = (p: string) => fs.statSync(p).mode & 0o777;
const savedFile = (home: string) => JSON.parse(fs.readFileSync(`${home}/credentials.json`, "utf8")) as { servers: Record<string, { token: string; username: string }> };

describe("Session: accounts and the credentials file", () => {
  let gw: Gw;
  beforeAll(async () => {
    gw = await startMultiUser();
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("register saves the token (file 0600, directory 0700) and a second Session uses it without logging in", async () => {
    const { home, remove } = tempHome();
    try {
      fs.rmSync(home, { recursive: true });
      const name = username("ana");
      const first = sessionFor(gw, `${home}/nested`);
      expect((await first.register(name, PASSWORD)).username).toBe(name);
      expect(mode(`${home}/nested`)).toBe(0o700);
      expect(mode(`${home}/nested/credentials.json`)).toBe(0o600);
      expect(savedFile(`${home}/nested`).servers[serverKey(gw.url)]).toMatchObject({ token: first.token, username: name });

      const second = sessionFor(gw, `${home}/nested`);
      expect(second.tokenSource).toBe("file");
      expect((await second.whoami()).user.username).toBe(name);
    } finally {
      remove();
    }
  });

  it("login, then logout revokes the token on the server and removes it from the file", async () => {
    const { home, remove } = tempHome();
    try {
      const name = username("bo");
      await sessionFor(gw, home).register(name, PASSWORD);
      const other = tempHome();
      const session = sessionFor(gw, other.home);
      await session.login(name, PASSWORD);
      const token = session.token!;
      expect((await session.whoami()).via).toBe("session"); // the login's token
      await session.logout();
      expect(session.token).toBeNull();
      expect(savedFile(other.home).servers[serverKey(gw.url)]).toBeUndefined();
      const revoked = new Session({ rootUrl: gw.url, token, env: {} });
      await expect(revoked.whoami()).rejects.toMatchObject({ name: "AuthError", code: "token_revoked" });
      await expect(sessionFor(gw, other.home).whoami()).rejects.toMatchObject({ code: "unauthenticated", status: 401 });
      other.remove();
    } finally {
      remove();
    }
  });

  it("refuses a credentials file other users can read, saying how to fix it", async () => {
    const { home, remove } = tempHome();
    try {
      await sessionFor(gw, home).register(username("cy"), PASSWORD);
      fs.chmodSync(`${home}/credentials.json`, 0o644);
      const session = sessionFor(gw, home);
      const err = await session.whoami().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CredentialsError);
      expect((err as Error).message).toContain(`chmod 600 ${home}/credentials.json`);
      fs.chmodSync(`${home}/credentials.json`, 0o600);
      fs.chmodSync(home, 0o777);
      await expect(sessionFor(gw, home).whoami()).rejects.toThrow(`chmod 700 ${home}`);
    } finally {
      remove();
    }
  });

  it("PLOTHOST_TOKEN (and the token option) override the saved token", async () => {
    const { home, remove } = tempHome();
    try {
      const saved = sessionFor(gw, home);
      await saved.register(username("di"), PASSWORD);
      const ci = new Session({ rootUrl: gw.url, env: {}, home: tempHome().home, saveCredentials: false });
      const ciName = username("ci");
      await ci.register(ciName, PASSWORD);
      const viaEnv = sessionFor(gw, home, {}, { PLOTHOST_TOKEN: ci.token! });
      expect(viaEnv.tokenSource).toBe("env");
      expect((await viaEnv.whoami()).user.username).toBe(ciName);
      const viaOption = sessionFor(gw, home, { token: ci.token! });
      expect(viaOption.tokenSource).toBe("option");
      expect((await viaOption.whoami()).user.username).toBe(ciName);
    } finally {
      remove();
    }
  });

  it("throws typed errors carrying the server's code and message", async () => {
    const { home, remove } = tempHome();
    try {
      const name = username("ed");
      const session = sessionFor(gw, home);
      await session.register(name, PASSWORD);
      const wrong = await sessionFor(gw, home).login(name, "not the password").catch((e: unknown) => e);
      expect(wrong).toBeInstanceOf(AuthError);
      expect(wrong).toMatchObject({ code: "invalid_credentials", status: 401, message: expect.stringMatching(/Wrong username or password/) });
      await expect(sessionFor(gw, home).register(name, PASSWORD)).rejects.toBeInstanceOf(ValidationError);
      await expect(session.open("no-such-document")).rejects.toBeInstanceOf(NotFoundError);
      await expect(session.admin.listUsers()).rejects.toMatchObject({ name: "AuthError", code: "admin_required" });
      const down = new Session({ rootUrl: `http://127.0.0.1:${await closedPort()}`, env: {}, home, retries: 1 });
      const unreachable = await down.whoami().catch((e: unknown) => e);
      expect(unreachable).toBeInstanceOf(ServerUnavailableError);
      expect((unreachable as Error).message).toMatch(/ECONNREFUSED.*Is the plothost server running/);
    } finally {
      remove();
    }
  });

  it("manages API tokens", async () => {
    const { home, remove } = tempHome();
    try {
      const session = sessionFor(gw, home);
      await session.register(username("gus"), PASSWORD);
      const made = await session.tokens.create({ name: "ci", scopes: ["read", "publish"] });
      expect(made.token).toMatch(/^pht_/);
      expect(made.scopes).toEqual(["read", "publish"]);
      expect((await session.tokens.list()).map((t) => t.id)).toContain(made.id);
      const ci = new Session({ rootUrl: gw.url, token: made.token, env: {} });
      await expect(ci.tokens.create({ scopes: ["deploy"] })).rejects.toMatchObject({ name: "AuthError", code: "insufficient_scope" });
      await session.tokens.revoke(made.id);
      expect((await session.tokens.list()).map((t) => t.id)).not.toContain(made.id);
      await expect(ci.whoami()).rejects.toMatchObject({ code: "token_revoked" });
      await expect(session.tokens.revoke(987654321)).rejects.toMatchObject({ name: "NotFoundError", code: "token_not_found" });
    } finally {
      remove();
    }
  });
});

describe("Session: the admin API", () => {
  it("lets the first account (an admin) create users, change roles and disable accounts", async () => {
    const gw = await startMultiUser();
    const { home, remove } = tempHome();
    try {
      const admin = sessionFor(gw, home);
      await admin.register(username("root"), PASSWORD); // the first account on a fresh database is an admin
      const u = username("fay");
      expect((await admin.admin.createUser({ username: u, password: PASSWORD })).role).toBe("user");
      expect((await admin.admin.setRole(u, "admin")).role).toBe("admin");
      expect((await admin.admin.setDisabled(u, true)).disabled).toBe(true);
      expect((await admin.admin.listUsers()).map((x) => x.username)).toContain(u);
      await expect(sessionFor(gw, tempHome().home).login(u, PASSWORD)).rejects.toMatchObject({ name: "AuthError", code: "account_disabled" });
      await expect(admin.admin.setRole("nobody-here", "user")).rejects.toMatchObject({ name: "NotFoundError", code: "user_not_found" });
    } finally {
      remove();
      await gw.close();
    }
  });
});
