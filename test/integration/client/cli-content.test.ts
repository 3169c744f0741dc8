import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "../../../client/index.ts";
import { PASSWORD, removeTempHomes, startMultiUser, tempHome, username, type Gw } from "./client-helpers.ts";
import { runCli, startCli } from "./run-cli.ts";

const FIXTURE = path.join(path.dirname(new URL(import.meta.url).pathname), "..", "..", "fixtures", "bokeh-3.6-docs", "line_scatter_hover.json");

/** A directory app (`main.ts` at its top) whose sessions log a line and have the title `title`. */
function appDir(title: string, body = ""): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plothost-app-")), "myapp");
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "main.ts"), body || `import { Div, type Document } from "plothost";
export default function app(doc: Document): void {
  console.log("session for ${title}");
  doc.title = ${JSON.stringify(title)};
  doc.add_root(new Div({ text: "hi" }));
}
`);
  return dir;
}

// The real `plothost` command against a real multi-user gateway: publishing and deploying.
describe("plothost CLI: publish, deploy, apps, logs", { timeout: 240_000 }, () => {
  let gw: Gw;
  let env: Record<string, string>;
  let user: string;
  const dirs: string[] = [];
  beforeAll(async () => {
    gw = await startMultiUser();
    const { home } = tempHome();
    user = username("pub");
    await new Session({ rootUrl: gw.url, env: { PLOTHOST_HOME: home } }).register(user, PASSWORD);
    env = { PLOTHOST_HOME: home, PLOTHOST_URL: gw.url };
  });
  afterAll(async () => {
    await gw?.close();
    removeTempHomes();
    for (const d of dirs) fs.rmSync(path.dirname(d), { recursive: true, force: true });
  });

  it("publish FILE.json --public prints links anyone can open; a non-document is refused (1), a missing file is a usage error (2)", async () => {
    const notADoc = path.join(tempHome().home, "hello.json");
    fs.writeFileSync(notADoc, '{"hello": "world"}');
    const [ok, refused, missing] = await Promise.all([
      runCli(["publish", FIXTURE, "--public", "--name", "hover"], env),
      runCli(["publish", notADoc], env),
      runCli(["publish", "no/such/file.json"], env),
    ]);
    expect(ok.code).toBe(0);
    const publicUrl = /public link: (\S+)/.exec(ok.stdout)![1];
    expect(ok.stdout).toMatch(/Published "hover" \(public\)/);
    expect((await fetch(publicUrl)).status).toBe(200);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/Bokeh document JSON/);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no such file: no/such/file.json");
  });

  it("deploy DIR shows upload progress and the job's steps, then apps and logs show the app", async () => {
    const dir = appDir("cli app v1");
    dirs.push(dir);
    const deployed = await runCli(["deploy", dir], env);
    expect(deployed.stderr).toMatch(/upload 100% \(/);
    // Every step is printed once, in order, from the job's own list of steps (not only the ones a poll happened to see).
    expect([...deployed.stderr.matchAll(/deploy \S+: running \(([^,]+), \d+%\)/g)].map((m) => m[1]))
      .toEqual(["unpacking", "compiling", "starting a worker", "switching traffic"]);
    expect(deployed.stderr).toMatch(/deploy \S+: done/);
    expect(deployed.code).toBe(0);
    const url = `${gw.url}/${user}/myapp`;
    expect(deployed.stdout).toContain(`Deployed myapp version 1: ${url}`);

    const apps = await runCli(["apps"], env);
    expect(apps.code).toBe(0);
    expect(apps.stdout).toMatch(new RegExp(`^myapp\\s+\\S+\\s+1\\s+${url.replace(/[.]/g, "\\.")}$`, "m"));

    const token = JSON.parse(fs.readFileSync(`${env.PLOTHOST_HOME}/credentials.json`, "utf8")).servers[gw.url].token as string;
    const page = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(/<title>([^<]*)<\/title>/.exec(await page.text())?.[1]).toBe("cli app v1");
    const logs = await runCli(["logs", "myapp"], env);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain("session for cli app v1");

    // logs -f prints the log, then the lines that come later, until interrupted.
    const child = startCli(["logs", "myapp", "-f"], env);
    let out = "";
    const sessions = () => out.split("session for cli app v1").length - 1;
    const printed = (count: number) => new Promise<void>((resolve, reject) => {
      const check = () => {
        if (sessions() < count) return;
        child.stdout!.off("data", onData);
        child.off("exit", onExit);
        resolve();
      };
      const onData = (c: Buffer) => {
        out += c.toString();
        check();
      };
      const onExit = (code: number | null) => reject(new Error(`logs -f exited early (${code}): ${out}`));
      child.stdout!.on("data", onData);
      child.once("exit", onExit);
      check();
    });
    await printed(1);
    const before = sessions();
    await (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).text(); // a new session logs a new line
    await printed(before + 1);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGINT");
    expect(await exited).toBe(0);
  });

  it("a deploy that fails exits 1 with the reason; logs of an unknown app exit 1", async () => {
    const dir = appDir("broken", "export default function app( {\n");
    dirs.push(dir);
    const [failed, unknown] = await Promise.all([
      runCli(["deploy", dir, "--name", "broken"], env),
      runCli(["logs", "no-such-app"], env),
    ]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/plothost: the deploy of broken failed: /);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no app named "no-such-app"/);
  });

  it("apps without a login fails (1) and says how to log in; apps with an argument is a usage error (2)", async () => {
    const { home } = tempHome();
    const [anon, extra] = await Promise.all([
      runCli(["apps"], { PLOTHOST_HOME: home, PLOTHOST_URL: gw.url }),
      runCli(["apps", "surplus"], env),
    ]);
    expect(anon.code).toBe(1);
    expect(anon.stderr).toContain(`plothost login --url ${gw.url}`);
    expect(extra.code).toBe(2);
  });
});
