/**
 * cluster: `plothost serve --num-procs 1` vs `--num-procs 2` (both `--backend redis`, real Redis at REDIS_URL or
 * 127.0.0.1:6379, each with its own key prefix): sessions opened per second (GET page + WebSocket + PULL-DOC,
 * 20 at a time) and the patch round trip of the echo app (client PATCH-DOC → server callback → PATCH-DOC back,
 * p50/p99, 10 clients). Both clusters run at once, as real `plothost serve` processes; rounds alternate between
 * them. Runners on other hosts (`plothost runner`) do not exist yet, so this compares gateway processes on one
 * machine, each with its own worker for the app; a WebSocket landing on the other process is proxied through the
 * Redis session registry to the worker that holds its session.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Redis } from "ioredis";
import { patchDocFromClient } from "../shared/protocol/index.ts";
import { fixtureApp, gatewayTarget, modelsIn, openSession, pool, projectRoot, type Target } from "./lib/plothost.ts";
import { isMain, runAlone, type BenchResult } from "./lib/report.ts";
import { ms, now, percentile, ratio } from "./lib/stats.ts";

export interface ClusterBenchOptions {
  /** Length of each measurement (sessions, then round trips) per round. */
  measureMs?: number;
  rounds?: number;
}

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

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

/** Sessions opened (and closed) per second, `concurrency` at a time, for `durationMs`. */
async function sessionsPerSecond(target: Target, concurrency: number, durationMs: number): Promise<number> {
  let opened = 0;
  const t0 = now();
  const end = t0 + durationMs;
  await pool(concurrency, concurrency, async () => {
    while (now() < end) {
      const { client } = await openSession(target, "echo");
      opened += 1;
      await client.close();
    }
  });
  return opened / ((now() - t0) / 1000);
}

/** `clients` echo-app sessions, each doing round trips one after another for `durationMs`; pushes each into `out`. */
async function roundTrips(target: Target, clients: number, durationMs: number, out: number[]): Promise<void> {
  const sessions = await pool(clients, clients, () => openSession(target, "echo"));
  try {
    const end = now() + durationMs;
    await Promise.all(sessions.map(async ({ client, doc }, c) => {
      const models = modelsIn(doc.roots);
      const input = models.find((m) => m.attributes.name === "in")!.id;
      for (let i = 1; now() < end; i++) {
        const k = c * 1e6 + i;
        const patch = patchDocFromClient({ events: [{ kind: "ModelChanged", model: { id: input }, attr: "value", new: k }] });
        const t0 = now();
        const echoed = client.next((m) => m.header.msgtype === "PATCH-DOC");
        const ok = client.reply(patch.header.msgid);
        client.send(patch);
        const msg = await echoed;
        out.push(now() - t0);
        if ((msg.content as { events: Array<{ new: unknown }> }).events[0]?.new !== k) throw new Error("unexpected echo");
        if ((await ok).header.msgtype !== "OK") throw new Error("PATCH-DOC not answered with OK");
      }
    }));
  } finally {
    await Promise.all(sessions.map(({ client }) => client.close()));
  }
}

export async function run(opts: ClusterBenchOptions = {}): Promise<BenchResult> {
  const measureMs = opts.measureMs ?? 2000;
  const rounds = opts.rounds ?? 3;
  const sessionConcurrency = 20;
  const clients = 10;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-bench-cluster-"));
  const clusters: Cluster[] = [];
  try {
    for (const procs of [1, 2]) clusters.push(await startCluster(procs, path.join(tmp, `n${procs}`)));
    const samples = new Map(clusters.map((c) => [c.procs, { rates: [] as number[], rtt: [] as number[] }]));
    for (const c of clusters) {
      await sessionsPerSecond(gatewayTarget(c), sessionConcurrency, 500); // warm-up: workers started, code loaded
      await roundTrips(gatewayTarget(c), clients, 500, []);
    }
    for (let r = 0; r < rounds; r++) {
      for (const c of r % 2 === 0 ? clusters : [...clusters].reverse()) {
        const s = samples.get(c.procs)!;
        s.rates.push(await sessionsPerSecond(gatewayTarget(c), sessionConcurrency, measureMs));
        await roundTrips(gatewayTarget(c), clients, measureMs, s.rtt);
      }
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const one = samples.get(1)!;
    const rows = clusters.map((c) => {
      const s = samples.get(c.procs)!;
      return [
        `--num-procs ${c.procs}`, mean(s.rates).toFixed(1), ratio(mean(s.rates), mean(one.rates)),
        ms(percentile(s.rtt, 50)), ms(percentile(s.rtt, 99)), ratio(percentile(s.rtt, 50), percentile(one.rtt, 50)),
      ];
    });
    return {
      name: "cluster",
      title: "plothost serve --num-procs 1 vs 2 (--backend redis, echo app): sessions/s and patch round trip",
      table: [["gateway processes", `sessions/s (${sessionConcurrency} at a time)`, "÷ 1 process", `round trip p50 (${clients} clients)`, "round trip p99", "p50 ÷ 1 process"], ...rows],
      notes: [
        `${rounds} alternating rounds per cluster of ${measureMs / 1000} s of sessions then ${measureMs / 1000} s of round trips, after 0.5 s of each as warm-up; ` +
          `round-trip samples: ${clusters.map((c) => `${c.procs} process(es) ${samples.get(c.procs)!.rtt.length}`).join(", ")}.`,
        "A session = GET page (keep-alive connection) + a new WebSocket connection + ACK + PULL-DOC, then closed; the cluster hands each new connection to the next process, so with 2 processes about half the WebSockets reach the process that did not build the page and are proxied to the other's worker (the session registry in Redis).",
        "Runners on other hosts (`plothost runner`) do not exist yet: this compares gateway processes on this one machine, each with its own worker for the app. The load generator shares the machine's cores with the gateways and workers.",
      ],
    };
  } finally {
    await Promise.all(clusters.map((c) => c.close()));
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) runAlone(() => run());
