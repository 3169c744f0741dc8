/**
 * memory, in two parts.
 * 1. The worker as plothost runs it (bubblewrap, behind the gateway): RSS idle (vs bare node and node + tsx,
 *    idle), RSS with open sessions, and RSS after opening and closing 1,000 sessions, read once the unused-session
 *    check has destroyed them all, vs the RSS after a warm-up churn of the same size. No GC can be forced there,
 *    so these include garbage V8 has not collected yet.
 * 2. The same worker code started outside the supervisor with `--expose-gc` (bench/lib/gc-worker.ts): heap after
 *    full GCs, which gives exact bytes per open session and shows whether closed sessions leave anything behind.
 */
import { spawn } from "node:child_process";
import { spawnGateway } from "./lib/gateway-process.ts";
import { spawnGcWorker, type GcReport } from "./lib/gc-worker.ts";
import {
  churnSessions, demoApp, directTarget, gatewayTarget, openSession, pool, projectRoot, waitUntil, workerSessionCount, type Target,
} from "./lib/plothost.ts";
import { rssOf, workerNodePid } from "./lib/proc.ts";
import { isMain, runAlone, type BenchResult } from "./lib/report.ts";
import { bytes } from "./lib/stats.ts";

export interface MemoryOptions {
  churn?: number;
  open?: number;
}

/** RSS of an idle `node <args>` once it has printed its first output. */
function idleNodeRss(args: string[], timeoutMs = 20_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: projectRoot, stdio: ["ignore", "pipe", "inherit"], env: { PATH: process.env.PATH ?? "" } });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`node ${args.join(" ")} printed nothing within ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout.once("data", () => {
      clearTimeout(timer);
      const rss = rssOf(child.pid!);
      child.once("exit", () => resolve(rss));
      child.kill("SIGTERM");
    });
  });
}

const pct = (after: number, before: number) => `${after >= before ? "+" : ""}${(((after - before) / before) * 100).toFixed(1)}%`;
const live = (g: GcReport) => g.heapUsed + g.external;

/** Opens `count` sessions and keeps them open; returns a function that closes them all. */
async function holdSessions(target: Target, count: number): Promise<() => Promise<void>> {
  const held = await pool(count, 50, () => openSession(target, "demo"));
  return async () => void (await Promise.all(held.map((s) => s.client.close())));
}

export async function run(opts: MemoryOptions = {}): Promise<BenchResult> {
  const churn = opts.churn ?? 1000;
  const open = opts.open ?? 200;
  const IDLE = "setInterval(() => {}, 1e6); process.stdout.write('x')";
  const bareNode = await idleNodeRss(["-e", IDLE]);
  const tsxNode = await idleNodeRss(["--import", "tsx", "-e", IDLE]);

  // Part 1: the real deployment.
  const gw = await spawnGateway(["--unused-session-lifetime", "500", "--check-unused-sessions", "250", demoApp]);
  let real: { idle: number; start: number; withOpen: number; after: number };
  try {
    const { socketPath, pid } = gw.apps.demo;
    const worker = workerNodePid(pid);
    const target = gatewayTarget(gw, 64);
    const reaped = () => waitUntil("the worker destroyed every unused session", async () => (await workerSessionCount(socketPath)) === 0);
    const idle = rssOf(worker);
    await churnSessions(target, "demo", churn); // warm-up at full size: JIT, lazy modules, the heap's working size
    await reaped();
    const start = rssOf(worker);
    const release = await holdSessions(target, open);
    const withOpen = rssOf(worker);
    await release();
    await reaped();
    await churnSessions(target, "demo", churn);
    await reaped();
    real = { idle, start, withOpen, after: rssOf(worker) };
  } finally {
    await gw.close();
  }

  // Part 2: the same worker with GC on demand.
  const gcw = await spawnGcWorker(demoApp, { unusedSessionLifetimeMs: 500, checkUnusedSessionsMs: 250 });
  let gc: { idle: GcReport; start: GcReport; withOpen: GcReport; after: GcReport };
  try {
    const target = directTarget(gcw, 64);
    const reaped = () => waitUntil("the worker destroyed every unused session", async () => (await workerSessionCount(gcw.socketPath)) === 0);
    const idle = await gcw.gc();
    await churnSessions(target, "demo", churn);
    await reaped();
    const start = await gcw.gc();
    const release = await holdSessions(target, open);
    const withOpen = await gcw.gc();
    await release();
    await reaped();
    await churnSessions(target, "demo", churn);
    await reaped();
    gc = { idle, start, withOpen, after: await gcw.gc() };
  } finally {
    await gcw.close();
  }

  const growth = (real.after - real.start) / real.start;
  return {
    name: "memory",
    title: "worker memory (demo app): idle, per open session, and after opening and closing sessions",
    table: [
      ["measure", "value", "baseline (same run)", "vs baseline"],
      ["idle worker RSS, no session yet (bwrap)", bytes(real.idle), `bare \`node -e\` idle ${bytes(bareNode)}`, `${(real.idle / bareNode).toFixed(2)}×`],
      ["", "", `\`node --import tsx -e\` idle ${bytes(tsxNode)}`, `${(real.idle / tsxNode).toFixed(2)}×`],
      [`RSS with ${open} open sessions (bwrap)`, bytes(real.withOpen), `after a ${churn}-session warm-up ${bytes(real.start)}`, pct(real.withOpen, real.start)],
      [`RSS after ${churn} more sessions opened, closed, destroyed (bwrap)`, bytes(real.after), `after a ${churn}-session warm-up ${bytes(real.start)}`, pct(real.after, real.start)],
      ["bytes per open session, from RSS (bwrap, no GC)", bytes((real.withOpen - real.start) / open), "", ""],
      ["heap + external after GC, idle (--expose-gc worker)", bytes(live(gc.idle)), "", ""],
      [`heap + external after GC, ${open} open sessions`, bytes(live(gc.withOpen)), `after warm-up ${bytes(live(gc.start))}`, pct(live(gc.withOpen), live(gc.start))],
      ["bytes per open session, after GC", bytes((live(gc.withOpen) - live(gc.start)) / open), "", ""],
      [`heap + external after GC, ${churn} more sessions destroyed`, bytes(live(gc.after)), `after warm-up ${bytes(live(gc.start))}`, pct(live(gc.after), live(gc.start))],
      [`RSS after GC, ${churn} more sessions destroyed`, bytes(gc.after.rss), `after warm-up ${bytes(gc.start.rss)}`, pct(gc.after.rss, gc.start.rss)],
    ],
    goal: `RSS after ${churn} sessions within 10% of the start (bwrap worker, after the unused-session check): ` +
      `${pct(real.after, real.start)} — ${growth <= 0.1 ? "met" : "NOT met"}; heap after GC ${pct(live(gc.after), live(gc.start))}`,
    notes: [
      `Sessions are opened through the gateway (part 1) or at the worker socket (part 2), 50 at a time; each GET page + WebSocket + PULL-DOC, then closed. Every reading after closing waits until the worker's health endpoint reports 0 sessions (unused-session lifetime 500 ms, checked every 250 ms).`,
      "Part 2 runs the same worker code as a plain process with `--expose-gc` and a preload that collects on SIGUSR2 (bench/lib/gc-preload.ts), outside the supervisor, which has no such switch.",
      "RSS without GC moves by tens of MiB between readings (V8 grows and keeps its heap); heap after GC is the leak signal.",
    ],
  };
}

if (isMain(import.meta.url)) runAlone(() => run());
