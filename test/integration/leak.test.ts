/**
 * Sessions must not leak: opening and closing hundreds of sessions leaves the worker where it started once the
 * unused-session check has destroyed them. Two views of it:
 * - the real deployment (gateway → bubblewrap worker): the registry empties, and RSS (from /proc of the worker's
 *   node process) stays within a generous bound, because no GC can be forced there and V8 keeps heap it grew;
 * - the same worker code with `--expose-gc` (bench/lib/gc-worker.ts): heap + external memory after full GCs,
 *   which is precise enough to catch a few KiB per session.
 * `npm run bench -- memory` measures the same at 1,000 sessions.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnGcWorker, type GcWorker } from "../../bench/lib/gc-worker.ts";
import { churnSessions, demoApp, directTarget, gatewayTarget, waitUntil, workerSessionCount } from "../../bench/lib/plothost.ts";
import { rssOf, workerNodePid } from "../../bench/lib/proc.ts";
import { startGateway } from "../helpers/start-gateway.ts";

const WARM_UP = 100;
const SESSIONS = 300;
const MiB = 1024 * 1024;

describe("sessions do not leak (real gateway, sandboxed worker, RSS)", () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gw = await startGateway(["--unused-session-lifetime", "300", "--check-unused-sessions", "100"]);
    await gw.supervisors.get("demo")!.ready();
  });
  afterAll(async () => {
    await gw?.close();
  });

  it(`opening and closing ${SESSIONS} sessions leaves no session behind and RSS near where it started`, async () => {
    const sup = gw.supervisors.get("demo")!;
    const pid = sup.pid!;
    const worker = workerNodePid(pid);
    const target = gatewayTarget(gw, 32);
    const emptied = () => waitUntil("the worker destroyed every unused session", async () => (await workerSessionCount(sup.socketPath)) === 0, 20_000);

    await churnSessions(target, "demo", WARM_UP, 25);
    await emptied();
    const start = rssOf(worker);
    await churnSessions(target, "demo", SESSIONS, 25);
    await emptied();
    const after = rssOf(worker);

    expect(sup.pid).toBe(pid); // the same worker all along
    // Generous: without a forced GC, RSS wanders by tens of MiB; a real leak of the demo's ~100 KiB per session
    // would add ~30 MiB here on top, and the precise check below catches far less.
    expect(after, `RSS ${(start / MiB).toFixed(1)} → ${(after / MiB).toFixed(1)} MiB`).toBeLessThan(start * 1.6);
  }, 60_000);
});

describe("sessions do not leak (same worker code with GC on demand, heap after GC)", () => {
  let w: GcWorker;
  beforeAll(async () => {
    w = await spawnGcWorker(demoApp, { unusedSessionLifetimeMs: 300, checkUnusedSessionsMs: 100 });
  });
  afterAll(async () => {
    await w?.close();
  });

  it(`heap + external memory after ${SESSIONS} sessions is within 4 MiB of the warmed-up worker's`, async () => {
    const target = directTarget(w, 32);
    const emptied = () => waitUntil("the worker destroyed every unused session", async () => (await workerSessionCount(w.socketPath)) === 0, 20_000);
    await churnSessions(target, "demo", WARM_UP, 25);
    await emptied();
    const start = await w.gc();
    await churnSessions(target, "demo", SESSIONS, 25);
    await emptied();
    const after = await w.gc();
    const grew = after.heapUsed + after.external - (start.heapUsed + start.external);
    // One demo session holds ~100 KiB: leaking even 1/8 of each would pass 4 MiB.
    expect(grew, `heap+external grew by ${(grew / MiB).toFixed(2)} MiB over ${SESSIONS} sessions`).toBeLessThan(4 * MiB);
  }, 60_000);
});
