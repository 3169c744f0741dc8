import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Document, Session } from "../../../client/index.ts";
import { projectRoot } from "../../helpers/start-gateway.ts";
import { PASSWORD, removeTempHomes, startMultiUser, tempHome, username, type Gw } from "./client-helpers.ts";
import { killServers, runCli, startServe, type CliResult } from "./run-cli.ts";

const PY_SCRIPT = path.join(projectRoot, "examples", "python", "publish.py");

/** Runs a command to completion (bounded) with only PATH and HOME from the test process, plus `env`. */
function run(cmd: string, args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: projectRoot, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => void (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => void (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${cmd} ${args.join(" ")} did not finish within 90 s\n${stdout}\n${stderr}`));
    }, 90_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The columns of the ColumnDataSource named `name` in a stored document. */
async function columnsOf(url: string, token: string, id: string, name: string): Promise<Record<string, unknown[]>> {
  const res = await fetch(`${url}/api/v1/docs/${id}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const data = Document.from_json(await res.json()).get_model_by_name(name)!.get<Map<string, unknown[]>>("data");
  return Object.fromEntries([...data].map(([k, v]) => [k, [...v]]));
}

const docIdOf = (publicUrl: string) => /\/doc\/([^/?]+)/.exec(publicUrl)![1];

describe("the README's script examples", { timeout: 180_000 }, () => {
  let gw: Gw;
  beforeAll(async () => {
    gw = await startMultiUser();
  });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-quickstart-"));
  afterAll(async () => {
    killServers();
    await gw?.close();
    removeTempHomes();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("the README's quick start: plothost serve -m, plothost register, examples/publish.ts, open the public link", async () => {
    // `npx plothost serve -m &`: a real server process with accounts.
    const server = await startServe(["-m", "--port", "0", "--bcrypt-cost", "4"], {}, tmp);
    try {
      const { home } = tempHome();
      const env = { PLOTHOST_HOME: home, PLOTHOST_URL: server.url };
      // `npx plothost register`: asks for a username and password (here on standard input) and saves the token.
      const name = username("ts");
      const reg = await runCli(["register"], env, `${name}\n${PASSWORD}\n`);
      expect(reg.stderr).toBe("");
      expect(reg.code).toBe(0);
      expect(reg.stdout).toContain(`Registered and logged in as ${name} (admin) at ${server.url}`);
      // `npx tsx examples/publish.ts`: no password in the script, the saved token is used.
      const out = await run(process.execPath, ["--import", "tsx", "examples/publish.ts", "--points", "3", "--interval", "0"], env);
      expect(out.stderr).toBe("");
      expect(out.code).toBe(0);
      expect(out.stdout).toContain("streamed 3 points");
      const publicUrl = /public link: (\S+)/.exec(out.stdout)![1];
      expect(publicUrl).toMatch(new RegExp(`^${server.url}/doc/[^/?]+\\?public=true$`));
      // Open the public link: anyone can, without logging in; the page renders the plot with BokehJS.
      const page = await fetch(publicUrl, { redirect: "manual" });
      expect(page.status).toBe(200);
      expect(await page.text()).toMatch(/bokeh\.min\.js/);
      const token = JSON.parse(fs.readFileSync(path.join(home, "credentials.json"), "utf8")).servers[server.url].token as string;
      expect((await columnsOf(server.url, token, docIdOf(publicUrl), "prices")).t).toHaveLength(4);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  });

  /** A python3 with `requests`: the one on PATH, else Debian's (scripts/ensure-system-deps.sh installs python3-requests). */
  const python = ["python3", "/usr/bin/python3"].find((py) => spawnSync(py, ["-c", "import requests"], { stdio: "ignore" }).status === 0);

  it("examples/python/publish.py logs in, publishes and streams with requests, sharing the credentials file", async () => {
    if (python === undefined) {
      throw new Error("no python3 with the requests module: run scripts/ensure-system-deps.sh as root (it installs python3-requests), or `pip install requests`");
    }
    const { home } = tempHome();
    const env = { PLOTHOST_HOME: home, PLOTHOST_URL: gw.url, PLOTHOST_PASSWORD: PASSWORD };
    const name = username("py");
    const reg = await run(python, [PY_SCRIPT, "--register", name], env);
    expect(reg.stderr).toBe("");
    expect(reg.code).toBe(0);
    expect(fs.statSync(path.join(home, "credentials.json")).mode & 0o777).toBe(0o600);
    // The TypeScript client reads what Python saved ...
    const ts = new Session({ rootUrl: gw.url, env: { PLOTHOST_HOME: home } });
    expect((await ts.whoami()).user.username).toBe(name);

    const pub = await run(python, [PY_SCRIPT, "--points", "3"], env);
    expect(pub.stderr).toBe("");
    expect(pub.code).toBe(0);
    const publicUrl = /Public link: (\S+)/.exec(pub.stdout)![1];
    expect((await fetch(publicUrl)).status).toBe(200);
    expect((await columnsOf(gw.url, ts.token!, docIdOf(publicUrl), "prices")).t).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

    // ... and Python uses (and revokes) what TypeScript saved.
    const other = tempHome().home;
    const tsSession = new Session({ rootUrl: gw.url, env: { PLOTHOST_HOME: other } });
    await tsSession.register(username("both"), PASSWORD);
    const out = await run(python, [PY_SCRIPT, "--logout"], { PLOTHOST_HOME: other, PLOTHOST_URL: gw.url });
    expect(out.code).toBe(0);
    await expect(new Session({ rootUrl: gw.url, token: tsSession.token!, env: {} }).whoami()).rejects.toMatchObject({ code: "token_revoked" });
    expect(JSON.parse(fs.readFileSync(path.join(other, "credentials.json"), "utf8")).servers).toEqual({});
    // A world-readable file is refused, with the fix.
    fs.chmodSync(path.join(home, "credentials.json"), 0o644);
    const refused = await run(python, [PY_SCRIPT], env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`chmod 600 ${path.join(home, "credentials.json")}`);
  });
});
