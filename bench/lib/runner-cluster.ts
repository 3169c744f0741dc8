/**
 * A gateway with worker hosts, as real processes on loopback for the cluster benchmark: N `plothost runner`s and one
 * `plothost serve --backend redis --runners` sharing a Redis key prefix and a runner secret, with the echo fixture
 * app deployed through the API (single-user mode: `POST /api/v1/tokens`, then `POST /api/v1/apps`), so that its
 * workers run on the runners. `close()` stops every process and removes the prefix's keys.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tar from "tar";
import { Redis } from "ioredis";
import { treeOf } from "../../gateway/src/sandbox/process-tree.ts";
import { runnerKey, runnersSetKey, type RunnerInfo } from "../../gateway/src/runner/runner-protocol.ts";
import { fixtureApp, projectRoot, waitUntil } from "./plothost.ts";

export interface RunnerCluster {
  readonly runners: number;
  readonly port: number;
  readonly prefix: string;
  /** The deployed app's path without the leading slash (`<owner>/echo`), for `openSession`. */
  readonly app: string;
  /** Workers each registered runner reports (renewed every runner heartbeat), by runner id. */
  workersPerRunner(): Promise<Map<string, number>>;
  close(): Promise<void>;
}

/** The runners' and the gateway's heartbeat (`--runner-heartbeat`): shorter than the 2 s default, see below. */
const HEARTBEAT_MS = 1000;

interface Proc {
  readonly match: RegExpExecArray;
  readonly out: () => string;
  stop(): Promise<void>;
}

/** `plothost ARGS`, resolved once its output matches `ready` (bounded); `stop()` is SIGTERM, then SIGKILL of its tree. */
function startPlothostCli(args: string[], ready: RegExp, what: string, timeoutMs = 120_000): Promise<Proc> {
  const child: ChildProcess = spawn(process.execPath, [path.join(projectRoot, "bin", "plothost.js"), ...args], {
    cwd: projectRoot, stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  const stop = async () => {
    if (gone) return;
    child.kill("SIGTERM");
    const kill = setTimeout(() => {
      for (const pid of treeOf(child.pid!).reverse()) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // gone already
        }
      }
    }, 20_000);
    await exited;
    clearTimeout(kill);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => void stop().then(() => reject(new Error(`${what}: not ready within ${timeoutMs / 1000} s:\n${out}`))), timeoutMs);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${what} exited before it was ready:\n${out}`));
    });
    const onData = (c: Buffer) => {
      out += c.toString();
      const match = ready.exec(out);
      if (!match) return;
      clearTimeout(timer);
      resolve({ match, out: () => out, stop });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
  });
}

/** A .tar.gz holding the one file `name` with `content`, made with tar from a scratch directory. */
async function tarGzOfOne(name: string, content: string): Promise<Buffer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-bench-src-"));
  try {
    fs.writeFileSync(path.join(dir, name), content);
    const out = path.join(dir, "app.tar.gz");
    await tar.c({ gzip: true, portable: true, cwd: dir, file: out }, [name]);
    return fs.readFileSync(out);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function json(res: Response, what: string): Promise<Record<string, any>> {
  const body = (await res.json()) as Record<string, any>;
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Deploys test/fixtures/apps/echo.ts as `echo` through the API and waits (bounded) for the deploy job; returns its path. */
async function deployEcho(base: string): Promise<string> {
  const { token } = await json(await fetch(`${base}/api/v1/tokens`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "bench", scopes: ["read", "deploy"] }),
  }), "POST /api/v1/tokens");
  const auth = { authorization: `Bearer ${String(token)}` };
  const form = new FormData();
  form.set("name", "echo");
  const archive = await tarGzOfOne("echo.ts", fs.readFileSync(fixtureApp("echo.ts"), "utf8"));
  form.set("archive", new Blob([new Uint8Array(archive)], { type: "application/gzip" }), "app.tar.gz");
  const deployed = await json(await fetch(`${base}/api/v1/apps`, { method: "POST", body: form, headers: auth }), "POST /api/v1/apps");
  const id = String(deployed.deploy?.id);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const job = await fetch(`${base}/api/v1/apps/echo/deploys/${id}`, { headers: auth });
    const body = (await job.json()) as Record<string, any>;
    if (job.status === 200 && body.state === "done") break;
    if (body.state === "failed" || Date.now() > deadline) throw new Error(`deploying echo: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const app = await json(await fetch(`${base}/api/v1/apps/echo`, { headers: auth }), "GET /api/v1/apps/echo");
  const owner = String(app.owner ?? app.app?.owner ?? "defaultuser");
  return `${owner}/echo`;
}

/**
 * `runners` × `plothost runner`, then `plothost serve --backend redis --runners --max-procs MAX_PROCS` (one gateway
 * process, no local app) and the echo app deployed on it. Data directories go under `dataDir`.
 */
export async function startRunnerCluster(runners: number, opts: { redisUrl: string; dataDir: string; maxProcs: number }): Promise<RunnerCluster> {
  const prefix = `plothost-bench-${randomBytes(4).toString("hex")}:`;
  const secret = randomBytes(24).toString("hex");
  const shared = [
    "--redis-url", opts.redisUrl, "--redis-prefix", prefix, "--runner-secret", secret, "--log-level", "warn",
    "--runner-heartbeat", String(HEARTBEAT_MS),
  ];
  const procs: Proc[] = [];
  const cleanup = async () => {
    await Promise.all(procs.map((p) => p.stop()));
    const redis = new Redis(opts.redisUrl);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  };
  try {
    // One at a time: all of them at once make each start slower on a 2-core machine, and a failure is clearer.
    for (let i = 0; i < runners; i++) {
      procs.push(await startPlothostCli(["runner", ...shared, "-D", path.join(opts.dataDir, `runner-${i}`), "--port", "0"],
        /plothost runner \w+ serving workers at \S+\n/, `plothost runner #${i + 1}`));
    }
    const gateway = await startPlothostCli([
      "serve", ...shared, "--backend", "redis", "--runners", "--max-procs", String(opts.maxProcs), "--port", "0",
      "-D", path.join(opts.dataDir, "gateway"),
    ], /plothost listening on http:\/\/[^:]+:(\d+)/, `plothost serve --runners (${runners} runners)`);
    procs.push(gateway);
    const port = Number(gateway.match[1]);
    const app = await deployEcho(`http://127.0.0.1:${port}`).catch(async (err: Error) => {
      await new Promise((resolve) => setTimeout(resolve, 500)); // let the gateway's log of the failure arrive
      throw new Error(`${err.message}\ngateway output:\n${gateway.out()}`);
    });
    const workersPerRunner = async () => {
      const redis = new Redis(opts.redisUrl);
      try {
        const ids = await redis.smembers(runnersSetKey(prefix));
        const raw = ids.length > 0 ? await redis.mget(...ids.map((id) => runnerKey(prefix, id))) : [];
        return new Map(ids.map((id, i) => [id, raw[i] ? (JSON.parse(raw[i]!) as RunnerInfo).workers : 0]));
      } finally {
        await redis.quit();
      }
    };
    // The gateway places a worker on the runner with the fewest workers as the runners last reported (every
    // heartbeat); until the deploy's first worker shows in its runner's registration and the gateway has read it,
    // a second worker would land on the same runner. Wait for the registration, then for the gateway's next reads.
    await waitUntil("the deployed app's first worker registered", async () => [...(await workersPerRunner()).values()].some((n) => n > 0), 30_000, 50);
    await new Promise((resolve) => setTimeout(resolve, 2 * HEARTBEAT_MS + 200));
    return { runners, port, prefix, app, workersPerRunner, close: cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
