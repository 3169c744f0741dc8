/**
 * The crash-safety tests' harness (issue 10; crash-*.test.ts): writers stream batches of unique points to a
 * published document through the HTTP API, several at once, and remember which were acknowledged (answered 200);
 * after a kill -9 and a restart, every acknowledged point must be in the document. Random kill points come from
 * a seed (`PLOTHOST_CRASH_SEED=N` replays a run; failures print it). Redis here is the test's own redis-server
 * on an ephemeral port, append-only with fsync on every write, so an acknowledged write is on disk.
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net, { type AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, expect } from "vitest";
import { ColumnDataSource, Document } from "../../../shared/index.ts";
import { spawnGateway } from "../../../bench/lib/gateway-process.ts";
import { redisAnswers } from "../../../gateway/src/redis/managed-redis.ts";
import { fixture } from "../apps/app-helpers.ts";

export const SEED = Number(process.env.PLOTHOST_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const WRITERS = 4;
const BATCH = 10;

const dirs: string[] = [];
export const tmpDir = (prefix: string) => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  const { port } = srv.address() as AddressInfo;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/** A redis-server of the test's own: append-only, fsync on every write, so an acknowledged write is on disk. */
export async function startRedis(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn("redis-server", [
    "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "yes", "--appendfsync", "always",
    "--daemonize", "no", "--loglevel", "warning",
  ], { stdio: "ignore" });
  const deadline = Date.now() + 15_000;
  while (!(await redisAnswers(`redis://127.0.0.1:${port}`, 500))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`redis-server on ${port} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return child;
}

export const killed = (child: ChildProcess) => new Promise<void>((resolve) => {
  if (child.exitCode !== null || child.signalCode !== null) return resolve();
  child.once("exit", () => resolve());
  child.kill("SIGKILL");
});

export const post = (url: string, body: unknown) => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });

/** Publishes a document holding one empty ColumnDataSource; returns its id and the source's id. */
export async function publish(base: string): Promise<{ id: string; source: string }> {
  const doc = new Document();
  const source = new ColumnDataSource({ data: { x: [], y: [] } });
  doc.add_root(source);
  const res = await post(`${base}/api/v1/docs?name=crash`, doc.to_json());
  expect(res.status).toBe(201);
  return { id: ((await res.json()) as { id: string }).id, source: source.id };
}

/**
 * Writers streaming unique points until they fail (the kill) or `stop()`; `acked` holds every point of a batch
 * answered 200. `afterAcks(n)` resolves once n batches were acknowledged in all.
 */
export function load(base: string, doc: { id: string; source: string }) {
  const acked = new Set<number>();
  let batches = 0;
  let stopped = false;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const writer = async (w: number) => {
    for (let seq = 0; !stopped; seq++) {
      const x = Array.from({ length: BATCH }, (_, i) => w * 1e7 + seq * BATCH + i);
      try {
        const res = await post(`${base}/api/v1/docs/${doc.id}/stream`, { source: doc.source, data: { x, y: x.map((v) => v % 97) } });
        if (res.status !== 200) {
          await res.body?.cancel();
          return;
        }
        await res.arrayBuffer();
      } catch {
        return; // connection refused or reset: the gateway is gone (or Redis is, and the gateway said 5xx)
      }
      for (const v of x) acked.add(v);
      batches++;
      for (const wt of waiters.filter((q) => batches >= q.n)) wt.resolve();
    }
  };
  const done = Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
  return {
    acked,
    done,
    afterAcks: (n: number) => new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${batches} batches acknowledged in 60 s (seed ${SEED})`)), 60_000);
      waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
      if (batches >= n) resolve();
    }),
    stop: () => void (stopped = true),
  };
}

/** The x values stored in the document, read back through the API (bounded retries while it comes back). */
export async function storedXs(base: string, doc: { id: string; source: string }): Promise<Set<number>> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(`${base}/api/v1/docs/${doc.id}`, { signal: AbortSignal.timeout(5000) });
      if (res.status === 200) {
        const parsed = Document.from_json(await res.json());
        const data = parsed.get_model_by_id(doc.source)!.get<Map<string, ArrayLike<number>>>("data");
        return new Set(Array.from(data.get("x")!));
      }
    } catch {
      // not back yet
    }
    if (Date.now() > deadline) throw new Error(`document ${doc.id} not readable 30 s after the restart (seed ${SEED})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function expectNoneLost(acked: Set<number>, stored: Set<number>) {
  const lost = [...acked].filter((v) => !stored.has(v));
  expect(lost.length, `seed ${SEED}: ${lost.length} of ${acked.size} acknowledged points lost, e.g. ${lost.slice(0, 5).join(", ")}`).toBe(0);
}

/** A gateway process on `dataDir` with `args`; the tiny whoami app keeps worker start-up cheap. */
export const gatewayProcess = (dataDir: string, args: string[]) => spawnGateway(["-D", dataDir, ...args, fixture("whoami.ts")]);
