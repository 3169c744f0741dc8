/**
 * cluster: two comparisons, each as real processes on loopback with real Redis (REDIS_URL or 127.0.0.1:6379, a key
 * prefix per cluster), measuring sessions opened per second (GET page + WebSocket + PULL-DOC, 20 at a time) and the
 * patch round trip of the echo app (client PATCH-DOC → server callback → PATCH-DOC back, p50/p99, 10 clients):
 * 1. `plothost serve --num-procs 1` vs `--num-procs 2` (`--backend redis`, the echo app local to the gateway host):
 *    gateway processes on one machine, each with its own worker; a WebSocket landing on the other process is
 *    proxied through the Redis session registry to the worker that holds its session.
 * 2. one gateway with 1 `plothost runner` vs the same with 2 runners (`--runners`, the echo app deployed through
 *    the API with `--max-procs 2`): the app's two workers both on the one runner, or one on each.
 * In each comparison both clusters run at once and the rounds alternate between them. All on this one machine:
 * the load generator shares the cores with the gateways, runners and workers.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { echoRoundTrip, fixtureApp, gatewayTarget, openSession, pool, projectRoot, waitUntil, type Target } from "./lib/plothost.ts";
import { isMain, runAlone, type BenchResult } from "./lib/report.ts";
import { startRunnerCluster, type RunnerCluster } from "./lib/runner-cluster.ts";
import { ms, now, percentile, ratio } from "./lib/stats.ts";

export interface ClusterBenchOptions {
  /** Length of each measurement (sessions, then round trips) per round, for `--num-procs`. */
  measureMs?: number;
  rounds?: number;
  /** The same for 1 vs 2 runners (kept short: the whole runner part should stay under a minute). */
  runnerMeasureMs?: number;
  runnerRounds?: number;
}

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const SESSION_CONCURRENCY = 20;
const CLIENTS = 10;

interface Cluster {
  readonly procs: number;
  readonly port: number;
  readonly prefix: string;
  close(): Promise<void>;
}

/** `plothost serve --num-procs N --backend redis` with the echo app; resolves once every process listens. */
async function startCluster(procs: number, dataDir: string): Promise<Cluster> {
  const prefix = `plothost-bench-${randomBytes(4).toString("hex")}:`;
  const child: ChildProcess = spawn(process.execPath, [
    path.join(projectRoot, "bin", "plothost.js"), "serve", "--num-procs", String(procs), "--backend", "redis",
    "--redis-url", REDIS_URL, "--redis-prefix", prefix, "--port", "0", "-D", dataDir, "--log-level", "warn", fixtureApp("echo.ts"),
  ], { cwd: projectRoot, stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let out = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`--num-procs ${procs}: not listening within 120 s:\n${out}`)), 120_000);
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      // With one process the primary's summary line is absent: the URL line is enough.
      const m = /plothost listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (m && (procs === 1 || out.includes(`${procs} gateway processes:`))) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    void exited.then(() => reject(new Error(`--num-procs ${procs} exited before listening:\n${out}`)));
  });
  return {
    procs, port, prefix,
    close: async () => {
      child.kill("SIGTERM");
      const kill = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(kill);
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
}

/** Sessions of `app` opened (and closed) per second, `concurrency` at a time, for `durationMs`. */
async function sessionsPerSecond(target: Target, app: string, concurrency: number, durationMs: number): Promise<number> {
  let opened = 0;
  const t0 = now();
  const end = t0 + durationMs;
  await pool(concurrency, concurrency, async () => {
    while (now() < end) {
      const { client } = await openSession(target, app);
      opened += 1;
      await client.close();
    }
  });
  return opened / ((now() - t0) / 1000);
}

/** `clients` sessions of the echo `app`, each doing round trips one after another for `durationMs`; pushes each into `out`. */
async function roundTrips(target: Target, app: string, clients: number, durationMs: number, out: number[]): Promise<void> {
  const sessions = await pool(clients, clients, () => openSession(target, app));
  try {
    const end = now() + durationMs;
    await Promise.all(sessions.map(async (session, c) => {
      const roundTrip = echoRoundTrip(session);
      for (let i = 1; now() < end; i++) out.push(await roundTrip(c * 1e6 + i));
    }));
  } finally {
    await Promise.all(sessions.map(({ client }) => client.close()));
  }
}

/** One side of a comparison: a label, where to open sessions, and which app. */
interface Side {
  readonly label: string;
  readonly target: Target;
  readonly app: string;
}

interface Samples {
  readonly rates: number[];
  readonly rtt: number[];
}

/** `rounds` rounds alternating between the sides (order reversed every other round): sessions/s, then round trips. */
async function measureAlternating(sides: readonly Side[], rounds: number, measureMs: number): Promise<Samples[]> {
  const samples = sides.map(() => ({ rates: [] as number[], rtt: [] as number[] }));
  for (let r = 0; r < rounds; r++) {
    const order = sides.map((_, i) => i);
    for (const i of r % 2 === 0 ? order : order.reverse()) {
      const { target, app } = sides[i];
      samples[i].rates.push(await sessionsPerSecond(target, app, SESSION_CONCURRENCY, measureMs));
      await roundTrips(target, app, CLIENTS, measureMs, samples[i].rtt);
    }
  }
  return samples;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Table rows: label, sessions/s and its ratio to the first side, round trip p50/p99 and the p50 ratio. */
function rowsOf(sides: readonly Side[], samples: readonly Samples[], extra: (i: number) => string[] = () => []): string[][] {
  const base = samples[0];
  return sides.map((side, i) => {
    const s = samples[i];
    return [
      side.label, mean(s.rates).toFixed(1), ratio(mean(s.rates), mean(base.rates)),
      ms(percentile(s.rtt, 50)), ms(percentile(s.rtt, 99)), ratio(percentile(s.rtt, 50), percentile(base.rtt, 50)), ...extra(i),
    ];
  });
}

async function compareNumProcs(tmp: string, rounds: number, measureMs: number): Promise<Pick<BenchResult, "table" | "notes">> {
  const clusters: Cluster[] = [];
  try {
    for (const procs of [1, 2]) clusters.push(await startCluster(procs, path.join(tmp, `n${procs}`)));
    const sides = clusters.map((c) => ({ label: `--num-procs ${c.procs}`, target: gatewayTarget(c), app: "echo" }));
    for (const s of sides) {
      await sessionsPerSecond(s.target, s.app, SESSION_CONCURRENCY, 500); // warm-up: workers started, code loaded
      await roundTrips(s.target, s.app, CLIENTS, 500, []);
    }
    const samples = await measureAlternating(sides, rounds, measureMs);
    return {
      table: [
        ["gateway processes", `sessions/s (${SESSION_CONCURRENCY} at a time)`, "÷ 1 process", `round trip p50 (${CLIENTS} clients)`, "round trip p99", "p50 ÷ 1 process"],
        ...rowsOf(sides, samples),
      ],
      notes: [
        `${rounds} alternating rounds per cluster of ${measureMs / 1000} s of sessions then ${measureMs / 1000} s of round trips, after 0.5 s of each as warm-up; ` +
          `round-trip samples: ${clusters.map((c, i) => `${c.procs} process(es) ${samples[i].rtt.length}`).join(", ")}.`,
        "A session = GET page (keep-alive connection) + a new WebSocket connection + ACK + PULL-DOC, then closed; the cluster hands each new connection to the next process, so with 2 processes about half the WebSockets reach the process that did not build the page and are proxied to the other's worker (the session registry in Redis).",
        "Gateway processes on this one machine, each with its own worker for the (local) app. The load generator shares the machine's cores with the gateways and workers.",
      ],
    };
  } finally {
    await Promise.all(clusters.map((c) => c.close()));
  }
}

async function compareRunners(tmp: string, rounds: number, measureMs: number): Promise<NonNullable<BenchResult["more"]>[number]> {
  const maxProcs = 2;
  const clusters: RunnerCluster[] = [];
  const t0 = now();
  try {
    // Both at once (start-up is most of this part's time); each closes itself if its own start fails.
    const started = await Promise.allSettled([1, 2].map((n) => startRunnerCluster(n, { redisUrl: REDIS_URL, dataDir: path.join(tmp, `r${n}`), maxProcs })));
    for (const s of started) if (s.status === "fulfilled") clusters.push(s.value);
    for (const s of started) if (s.status === "rejected") throw s.reason;
    const startedIn = (now() - t0) / 1000;
    const sides = clusters.map((c) => ({ label: `${c.runners} runner${c.runners === 1 ? "" : "s"}`, target: gatewayTarget(c), app: c.app }));
    // Warm-up until both of the app's workers run (a second one starts once every running worker has a session), and
    // with 2 runners one on each (placement picks the runner with the fewest workers). Runners report their worker
    // count every heartbeat (1 s here, runner-cluster.ts).
    for (const [i, s] of sides.entries()) {
      await waitUntil(`${s.label}: ${maxProcs} workers running`, async () => {
        await sessionsPerSecond(s.target, s.app, SESSION_CONCURRENCY, 500);
        await roundTrips(s.target, s.app, CLIENTS, 250, []);
        const counts = [...(await clusters[i].workersPerRunner()).values()];
        return counts.reduce((a, b) => a + b, 0) >= maxProcs;
      }, 45_000, 0);
    }
    const placement = await Promise.all(clusters.map(async (c) => [...(await c.workersPerRunner()).values()].join(" + ")));
    const samples = await measureAlternating(sides, rounds, measureMs);
    const after = await Promise.all(clusters.map(async (c) => [...(await c.workersPerRunner()).values()].join(" + ")));
    return {
      title: `plothost serve --runners (1 gateway process, echo app deployed, --max-procs ${maxProcs}): 1 vs 2 runners`,
      table: [
        ["worker hosts", `sessions/s (${SESSION_CONCURRENCY} at a time)`, "÷ 1 runner", `round trip p50 (${CLIENTS} clients)`, "round trip p99", "p50 ÷ 1 runner", "workers per runner"],
        ...rowsOf(sides, samples, (i) => [placement[i] === after[i] ? placement[i] : `${placement[i]} → ${after[i]}`]),
      ],
      notes: [
        `${rounds} alternating rounds per cluster of ${measureMs / 1000} s of sessions then ${measureMs / 1000} s of round trips, after a warm-up that lasts until the app's ${maxProcs} workers run; ` +
          `round-trip samples: ${clusters.map((c, i) => `${c.runners} runner(s) ${samples[i].rtt.length}`).join(", ")}. Starting both clusters and deploying took ${startedIn.toFixed(1)} s.`,
        "Each cluster: `plothost runner` process(es) and one `plothost serve --backend redis --runners` process (no local app) sharing a Redis prefix and a runner secret; the echo app is deployed through the API. Every session's traffic goes gateway → runner (TCP, authenticated) → worker (Unix socket): with 1 runner both workers sit behind that one runner's proxy, with 2 each runner proxies for one worker.",
        ...(placement[1] === "1 + 1" ? [] : [`With 2 runners the app's workers were NOT spread one per runner (${placement[1]}): the comparison is not what it says.`]),
        "All runners are on this one machine, with the gateway, the workers and the load generator sharing its cores: a second runner adds a proxy process, not CPU, so this shows the cost or benefit of spreading the runner proxy, not of a second host.",
      ],
    };
  } finally {
    await Promise.all(clusters.map((c) => c.close()));
  }
}

export async function run(opts: ClusterBenchOptions = {}): Promise<BenchResult> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-bench-cluster-"));
  try {
    const procs = await compareNumProcs(tmp, opts.rounds ?? 3, opts.measureMs ?? 2000);
    const runners = await compareRunners(tmp, opts.runnerRounds ?? 3, opts.runnerMeasureMs ?? 1500);
    return {
      name: "cluster",
      title: "plothost serve --num-procs 1 vs 2 (--backend redis, echo app): sessions/s and patch round trip; then 1 vs 2 runners",
      ...procs,
      more: [runners],
    };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) runAlone(() => run());
