/**
 * session-open: sessions/s and p50/p99 time for GET page + WebSocket + ACK + PULL-DOC with 100 concurrent
 * clients, through the gateway vs straight at the worker's Unix socket (the proxy's overhead).
 * Rounds alternate between the two paths so that a noisy neighbour hurts both alike.
 */
import { spawnGateway } from "./lib/gateway-process.ts";
import { directTarget, demoApp, gatewayTarget, openSession, type Target } from "./lib/plothost.ts";
import { cpuMsOf, workerNodePid } from "./lib/proc.ts";
import { isMain, runAlone, type BenchResult } from "./lib/report.ts";
import { ms, now, percentile, ratio } from "./lib/stats.ts";

export interface SessionOpenOptions {
  concurrency?: number;
  /** Length of each measured round; rounds are time-boxed so the benchmark takes the same time on any machine. */
  roundMs?: number;
  rounds?: number;
}

interface Tally {
  latencies: number[];
  elapsedMs: number;
  sessions: number;
  /** CPU milliseconds used by each process while this path was measured. */
  cpu: { client: number; gateway: number; worker: number };
}

const tally = (): Tally => ({ latencies: [], elapsedMs: 0, sessions: 0, cpu: { client: 0, gateway: 0, worker: 0 } });

/** Opens sessions with `concurrency` clients for `durationMs`, each client one session after another. */
async function measure(target: Target, durationMs: number, concurrency: number, t: Tally, pids: { gateway: number; worker: number }): Promise<void> {
  const cpu0 = { client: process.cpuUsage(), gateway: cpuMsOf(pids.gateway), worker: cpuMsOf(pids.worker) };
  const start = now();
  const end = start + durationMs;
  let sessions = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (now() < end) {
      const t0 = now();
      const { client } = await openSession(target, "demo");
      t.latencies.push(now() - t0);
      sessions++;
      await client.close();
    }
  }));
  t.elapsedMs += now() - start;
  t.sessions += sessions;
  const client = process.cpuUsage(cpu0.client);
  t.cpu.client += (client.user + client.system) / 1000;
  t.cpu.gateway += cpuMsOf(pids.gateway) - cpu0.gateway;
  t.cpu.worker += cpuMsOf(pids.worker) - cpu0.worker;
}

export async function run(opts: SessionOpenOptions = {}): Promise<BenchResult> {
  const concurrency = opts.concurrency ?? 100;
  const roundMs = opts.roundMs ?? 2500;
  const rounds = opts.rounds ?? 4;
  // Short-lived sessions keep the worker's heap flat over thousands of sessions.
  // The gateway runs in its own process (as in production), so it does not share the clients' event loop.
  const gw = await spawnGateway(["--unused-session-lifetime", "1000", "--check-unused-sessions", "500", demoApp]);
  try {
    const sup = gw.apps.demo;
    const via = gatewayTarget(gw, concurrency);
    const direct = directTarget(sup, concurrency);
    const pids = { gateway: gw.child.pid!, worker: workerNodePid(sup.pid) };
    const tallies = new Map<Target, Tally>([[direct, tally()], [via, tally()]]);
    await measure(direct, 1000, concurrency, tally(), pids); // warm-up: JIT, tsx cache, agents
    await measure(via, 1000, concurrency, tally(), pids);
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? [via, direct] : [direct, via];
      for (const t of order) await measure(t, roundMs, concurrency, tallies.get(t)!, pids);
    }
    const d = tallies.get(direct)!;
    const g = tallies.get(via)!;
    const rate = (t: Tally) => (t.sessions * 1000) / t.elapsedMs;
    const perSession = (cpuMs: number, t: Tally) => (cpuMs / t.sessions).toFixed(2);
    const row = (label: string, t: Tally) => [
      label, String(t.sessions), rate(t).toFixed(0), ms(percentile(t.latencies, 50)), ms(percentile(t.latencies, 99)),
      perSession(t.cpu.worker, t), perSession(t.cpu.gateway, t), perSession(t.cpu.client, t),
    ];
    const serverCpu = (t: Tally) => t.cpu.worker + t.cpu.gateway;
    const p50 = percentile(g.latencies, 50) / percentile(d.latencies, 50);
    const throughput = rate(d) / rate(g);
    return {
      name: "session-open",
      title: `GET page + WebSocket + PULL-DOC (demo app), ${concurrency} concurrent clients`,
      table: [
        ["path", "sessions", "sessions/s", "p50", "p99", "worker CPU ms/session", "gateway CPU ms/session", "clients CPU ms/session"],
        row("direct to worker socket (baseline)", d),
        row("through the gateway", g),
        ["gateway ÷ direct", "", `${ratio(rate(d), rate(g))} slower`, ratio(percentile(g.latencies, 50), percentile(d.latencies, 50)), ratio(percentile(g.latencies, 99), percentile(d.latencies, 99)),
          `server CPU ${ratio(serverCpu(g) / g.sessions, serverCpu(d) / d.sessions)}`, "", ""],
      ],
      goal: `proxy overhead ≤ 1.15×: p50 ${p50.toFixed(2)}×, throughput ${throughput.toFixed(2)}× — ${Math.max(p50, throughput) <= 1.15 ? "met" : "NOT met"}`,
      notes: [
        `${rounds} alternating rounds of ${roundMs / 1000} s per path after 1 s of warm-up each; latency = GET start → PULL-DOC-REPLY; CPU from /proc (10 ms ticks) over the measured rounds.`,
        "The clients (this process), the gateway process and the worker process share the 2 cores, so the gateway's CPU competes with the worker's: on this box the ratio is CPU contention as much as proxy latency.",
      ],
    };
  } finally {
    await gw.close();
  }
}

if (isMain(import.meta.url)) runAlone(() => run());
