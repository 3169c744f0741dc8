/**
 * patch-roundtrip: a client PATCH-DOC (the "in" slider's value) → the app's server-side callback → the PATCH-DOC
 * that carries the "out" slider's new value back, p50/p99; against a raw `ws` echo server (another process on this
 * machine) echoing the same three frames. Also straight at the worker's socket, to split worker from proxy time.
 * Each client waits for its echo (and the OK) before sending the next change; rounds rotate the paths.
 */
import WebSocket from "ws";
import { encodeMessage, patchDocFromClient } from "../shared/protocol/index.ts";
import { spawnEchoServer } from "./lib/echo-server.ts";
import { spawnGateway } from "./lib/gateway-process.ts";
import { directTarget, echoRoundTrip, fixtureApp, gatewayTarget, openSession, pool, type Target } from "./lib/plothost.ts";
import { isMain, runAlone, type BenchResult } from "./lib/report.ts";
import { ms, now, percentile, ratio } from "./lib/stats.ts";

export interface PatchRoundtripOptions {
  /** Length of each measurement; time-boxed so the benchmark takes the same time on any machine. */
  measureMs?: number;
  rounds?: number;
  concurrency?: number;
}

/** One connected client that can do one round trip at a time. */
interface Pinger {
  roundtrip(k: number): Promise<number>;
  close(): Promise<unknown>;
}

async function plothostPinger(target: Target): Promise<Pinger> {
  const session = await openSession(target, "echo");
  const { client } = session;
  return {
    roundtrip: echoRoundTrip(session),
    close: () => client.close(),
  };
}

async function rawPinger(port: number): Promise<Pinger> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let waiting: { left: number; done: () => void } | null = null;
  ws.on("message", () => {
    if (waiting && --waiting.left === 0) waiting.done();
  });
  return {
    async roundtrip(k) {
      const frames = encodeMessage(patchDocFromClient({ events: [{ kind: "ModelChanged", model: { id: "p1001" }, attr: "value", new: k }] }));
      const t0 = now();
      const back = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("echo timed out")), 10_000);
        waiting = { left: frames.length, done: () => { clearTimeout(timer); resolve(); } };
      });
      for (const f of frames) ws.send(f);
      await back;
      return now() - t0;
    },
    close: () => new Promise((resolve) => {
      ws.once("close", resolve);
      ws.close();
    }),
  };
}

/** `clients` clients each doing round trips one after another for `durationMs`. */
async function measure(connect: () => Promise<Pinger>, clients: number, durationMs: number, out: number[]): Promise<void> {
  const pingers = await pool(clients, clients, () => connect());
  try {
    const end = now() + durationMs;
    await Promise.all(pingers.map(async (p, c) => {
      for (let i = 1; now() < end; i++) out.push(await p.roundtrip(c * 1e6 + i));
    }));
  } finally {
    await Promise.all(pingers.map((p) => p.close()));
  }
}

export async function run(opts: PatchRoundtripOptions = {}): Promise<BenchResult> {
  const measureMs = opts.measureMs ?? 1000;
  const rounds = opts.rounds ?? 4;
  const concurrency = opts.concurrency ?? 10;
  const [gw, echo] = await Promise.all([spawnGateway([fixtureApp("echo.ts")]), spawnEchoServer()]);
  try {
    const paths: Array<{ label: string; connect: () => Promise<Pinger> }> = [
      { label: "raw ws echo server (baseline)", connect: () => rawPinger(echo.port) },
      { label: "plothost, direct to worker socket", connect: () => plothostPinger(directTarget(gw.apps.echo)) },
      { label: "plothost, through the gateway", connect: () => plothostPinger(gatewayTarget(gw)) },
    ];
    const samples = new Map(paths.map((p) => [p.label, { one: [] as number[], many: [] as number[] }]));
    for (const p of paths) await measure(p.connect, 1, 500, []); // warm-up
    for (let r = 0; r < rounds; r++) {
      const order = paths.map((_, i) => paths[(i + r) % paths.length]);
      for (const p of order) {
        await measure(p.connect, 1, measureMs, samples.get(p.label)!.one);
        await measure(p.connect, concurrency, measureMs, samples.get(p.label)!.many);
      }
    }
    const base = samples.get(paths[0].label)!;
    const rows = paths.map((p) => {
      const s = samples.get(p.label)!;
      return [
        p.label, ms(percentile(s.one, 50)), ms(percentile(s.one, 99)), ratio(percentile(s.one, 50), percentile(base.one, 50)),
        ms(percentile(s.many, 50)), ms(percentile(s.many, 99)), ratio(percentile(s.many, 50), percentile(base.many, 50)),
      ];
    });
    const gwOne = samples.get(paths[2].label)!.one;
    const factor = percentile(gwOne, 50) / percentile(base.one, 50);
    return {
      name: "patch-roundtrip",
      title: "client PATCH-DOC → server callback → PATCH-DOC back (fixture app test/fixtures/apps/echo.ts)",
      table: [
        ["path", "1 client p50", "1 client p99", "p50 ÷ raw", `${concurrency} clients p50`, `${concurrency} clients p99`, "p50 ÷ raw"],
        ...rows,
      ],
      goal: `through the gateway, p50 ≤ 3× the raw echo (1 client): ${factor.toFixed(2)}× — ${factor <= 3 ? "met" : "NOT met"}`,
      notes: [
        `${rounds} rotating rounds per path of ${measureMs / 1000} s with 1 client and ${measureMs / 1000} s with ${concurrency} clients (each waits for its echo and OK before the next change), after 0.5 s of warm-up; ` +
          `samples: ${paths.map((p) => `${samples.get(p.label)!.one.length}+${samples.get(p.label)!.many.length}`).join(", ")}.`,
        "The raw echo server is a separate `ws` process (like the worker) echoing the same three frames over TCP; the client waits for all three.",
      ],
    };
  } finally {
    await Promise.all([gw.close(), echo.close()]);
  }
}

if (isMain(import.meta.url)) runAlone(() => run());
