import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "../../../client/index.ts";
import { PASSWORD, closedPort, removeTempHomes, startMultiUser, tempHome, username, type Gw } from "./client-helpers.ts";
import { runCli } from "./run-cli.ts";

// The real `plothost` command against a real multi-user gateway; every run gets its own PLOTHOST_HOME.
describe("plothost CLI: accounts, tokens, admin", { timeout: 180_000 }, () => {
  let gw: Gw;
  let adminHome: string;
  let admin: string;
  beforeAll(async () => {
    gw = await startMultiUser();
    adminHome = tempHome().home;
    admin = username("root");
    await new Session({ rootUrl: gw.url, env: { PLOTHOST_HOME: adminHome } }).register(admin, PASSWORD); // first account: admin
  });
  afterAll(async () => {
    await gw?.close();
    removeTempHomes();
  });

  const as = (home: string, extra: Record<string, string> = {}) => ({ PLOTHOST_HOME: home, ...extra });

  it("--help lists the client commands; a bad flag is a usage error (exit 2)", async () => {
    const help = await runCli(["--help"], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/register \| login/);
    expect(help.stdout).toMatch(/deploy DIR\|FILE/);
    const bad = await runCli(["whoami", "--bogus"], {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Unknown option '--bogus'[\s\S]*Usage:/);
  });

  it("register reads the username and password from standard input and saves the token (0600)", async () => {
    const { home } = tempHome();
    const name = username("ana");
    const reg = await runCli(["register", "--url", gw.url], as(home), `${name}\n${PASSWORD}\n`);
    expect(reg.stderr).toBe("");
    expect(reg.code).toBe(0);
    expect(reg.stdout).toContain(`Registered and logged in as ${name} at ${gw.url}`);
    expect(fs.statSync(`${home}/credentials.json`).mode & 0o777).toBe(0o600);
    const again = await runCli(["register", "--url", gw.url, "--username", name], as(home, { PLOTHOST_PASSWORD: PASSWORD }));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/username is taken/);
  });

  it("login (PLOTHOST_URL, PLOTHOST_PASSWORD), whoami, logout; and their error paths", async () => {
    const name = username("bo");
    await new Session({ rootUrl: gw.url, env: {}, saveCredentials: false }).register(name, PASSWORD);
    const { home } = tempHome();
    const env = as(home, { PLOTHOST_URL: gw.url });
    const [wrong, notYet] = await Promise.all([
      runCli(["login", "-u", name], { ...env, PLOTHOST_PASSWORD: "wrong password" }),
      runCli(["whoami"], env),
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/Wrong username or password/);
    expect(notYet.code).toBe(1);
    expect(notYet.stderr).toContain(`Run \`plothost login --url ${gw.url}\``);

    const login = await runCli(["login", "-u", name], { ...env, PLOTHOST_PASSWORD: PASSWORD });
    expect(login.code).toBe(0);
    const who = await runCli(["whoami"], env);
    expect(who.code).toBe(0);
    expect(who.stdout).toContain(`${name} (user) at ${gw.url}`);
    const token = JSON.parse(fs.readFileSync(`${home}/credentials.json`, "utf8")).servers[gw.url.replace(/\/$/, "")].token as string;

    const logout = await runCli(["logout"], env);
    expect(logout.code).toBe(0);
    expect(logout.stdout).toMatch(/token is revoked and removed/);
    expect((await new Session({ rootUrl: gw.url, token, env: {} }).whoami().catch((e: { code: string }) => e.code))).toBe("token_revoked");
    const after = await runCli(["whoami"], env);
    expect(after.code).toBe(1);

    // logout with a saved token while the server is unreachable: a server-side failure (1), the token kept.
    await runCli(["login", "-u", name], { ...env, PLOTHOST_PASSWORD: PASSWORD });
    const saved = JSON.parse(fs.readFileSync(`${home}/credentials.json`, "utf8")).servers;
    const unreachable = `http://127.0.0.1:${await closedPort()}`;
    fs.writeFileSync(`${home}/credentials.json`, JSON.stringify({ version: 1, servers: { ...saved, [unreachable]: { token: "pht_x", username: name, savedAt: "" } } }), { mode: 0o600 });
    const down = await runCli(["logout", "--url", unreachable], env);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain(`could not reach ${unreachable} (ECONNREFUSED)`);
  });

  it("token create prints the secret alone; list shows it; revoke ends it; bad input fails", async () => {
    const { home } = tempHome();
    const name = username("cy");
    await new Session({ rootUrl: gw.url, env: { PLOTHOST_HOME: home } }).register(name, PASSWORD);
    const env = as(home, { PLOTHOST_URL: gw.url });
    const created = await runCli(["token", "create", "--name", "ci-job", "--scopes", "read,publish"], env);
    expect(created.code).toBe(0);
    const secret = created.stdout.trim();
    expect(secret).toMatch(/^pht_[A-Za-z0-9_-]+$/);
    expect(created.stderr).toMatch(/Created token (\d+) "ci-job" \(read, publish\)/);
    const id = /Created token (\d+)/.exec(created.stderr)![1];
    const ci = await runCli(["whoami"], { PLOTHOST_HOME: tempHome().home, PLOTHOST_URL: gw.url, PLOTHOST_TOKEN: secret });
    expect(ci.stdout).toMatch(/via token; scopes: read, publish/);

    const list = await runCli(["token", "list"], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${id}\\s+ci-job\\s+api\\s`, "m"));
    const [revoke, missing, badScope] = await Promise.all([
      runCli(["token", "revoke", id], env),
      runCli(["token", "revoke", "999999"], env),
      runCli(["token", "create", "--scopes", "read,everything"], env),
    ]);
    expect(revoke.code).toBe(0);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no token with that id/);
    expect(badScope.code).toBe(2);
    expect(badScope.stderr).toMatch(/unknown scope everything/);
    expect((await runCli(["whoami"], { PLOTHOST_HOME: tempHome().home, PLOTHOST_URL: gw.url, PLOTHOST_TOKEN: secret })).code).toBe(1);
  });

  it("admin create-user, list-users, set-role, disable over the API; a non-admin is refused", async () => {
    const env = as(adminHome, { PLOTHOST_URL: gw.url });
    const fay = username("fay");
    const created = await runCli(["admin", "create-user", fay], { ...env, PLOTHOST_PASSWORD: PASSWORD });
    expect(created.code).toBe(0);
    expect(created.stdout).toContain(`Created user ${fay}.`);
    const list = await runCli(["admin", "list-users"], env);
    const role = await runCli(["admin", "set-role", fay, "admin"], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^${fay}\\s+user\\s+active`, "m"));
    expect(role.code).toBe(0);
    expect(role.stdout).toContain(`${fay} is now admin.`);
    const disabled = await runCli(["admin", "disable", fay], env);
    expect(disabled.code).toBe(0);
    await expect(new Session({ rootUrl: gw.url, env: {}, saveCredentials: false }).login(fay, PASSWORD)).rejects.toMatchObject({ code: "account_disabled" });

    const { home } = tempHome();
    await new Session({ rootUrl: gw.url, env: { PLOTHOST_HOME: home } }).register(username("gus"), PASSWORD);
    const refused = await runCli(["admin", "list-users"], as(home, { PLOTHOST_URL: gw.url }));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Only admins can do this/);
  });

  it("each admin action's error path: a taken name and an unknown user fail (1), a bad role is a usage error (2)", async () => {
    const env = as(adminHome, { PLOTHOST_URL: gw.url });
    const [taken, unknownUser, badRole, noAction] = await Promise.all([
      runCli(["admin", "create-user", admin], { ...env, PLOTHOST_PASSWORD: PASSWORD }),
      runCli(["admin", "disable", "nobody-here"], env),
      runCli(["admin", "set-role", admin, "superuser"], env),
      runCli(["admin", "promote", admin], env),
    ]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(/username is taken/);
    expect(unknownUser.code).toBe(1);
    expect(unknownUser.stderr).toMatch(/nobody-here|no user/i);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toMatch(/the role must be user or admin/);
    expect(noAction.code).toBe(2);
  });

  it("secret prints a new random key each time; arguments and unknown commands are usage errors (2)", async () => {
    const [a, b, extra, unknown] = await Promise.all([runCli(["secret"], {}), runCli(["secret"], {}), runCli(["secret", "--length", "9"], {}), runCli(["frobnicate"], {})]);
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/^[A-Za-z0-9_-]{43}\n$/);
    expect(b.stdout).not.toBe(a.stdout);
    expect(extra.code).toBe(2);
    expect(extra.stderr).toMatch(/secret takes no arguments/);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"\. Run `plothost --help`/);
  });
});
