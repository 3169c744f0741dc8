// The RSS and CPU watchdog, which enforces the memory and CPU limits where cgroups cannot: a real gateway whose
// plain sandbox has cgroups switched off (as on a host without writable cgroups), a memory hog and a busy loop
// next to a well-behaved neighbour. The watchdog samples every 100 ms and averages CPU over 4 s here (the first
// window, a worker's start-up, is not judged: ~1.2 s of CPU that can take 3 s on a loaded machine), so each
// attack ends within seconds; health checks are off, so nothing but the watchdog kills the busy loop.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox } from "../../../gateway/src/sandbox/index.ts";
import { HOSTILE, nextExit, reaches, startLoggedGateway, visit, type LoggedGateway } from "./isolation-harness.ts";

const APPS = ["memory-hog", "busy-loop", "neighbour"];

let gw: LoggedGateway;
let neighbourVisits = 0;
let neighbourPid: number | undefined;
const neighbourExits: unknown[] = [];
const busyExits: unknown[] = [];
/** Every line each app's log got (the worker's output and the supervisor's notes), by app. */
const appLog = new Map<string, string[]>();

beforeAll(async () => {
  gw = await startLoggedGateway(
    [
      "--sandbox", "plain", "--worker-memory-limit", "256", "--worker-watchdog-interval", "100", "--worker-cpu-window", "4000",
      "--worker-health-interval", "0", "--worker-start-timeout", "60000",
      ...APPS.map((a) => path.join(HOSTILE, `${a}.ts`)),
    ],
    // A quarter of a core for the busy loop (even a loaded machine gives it more); one core for the others.
    (c) => ({ ...c, apps: c.apps.map((a) => (a.name === "busy-loop" ? { ...a, limits: { cpuPercent: 25 } } : a)) }),
    (c) => createSandbox({ prefer: "plain", cgroups: false, watchdog: c.workerWatchdog }),
  );
  for (const [name, s] of gw.gateway.supervisors) {
    appLog.set(name, []);
    s.on("line", (l: string) => appLog.get(name)!.push(l));
  }
  supervisor("neighbour").on("exit", (e: unknown) => neighbourExits.push(e));
  supervisor("busy-loop").on("exit", (e: unknown) => busyExits.push(e));
  await Promise.all([...gw.gateway.supervisors.values()].map((s) => s.ready()));
  neighbourPid = supervisor("neighbour").pid;
}, 120_000);

afterAll(async () => {
  await gw?.close();
});

const supervisor = (name: string) => gw.gateway.supervisors.get(name)!;

/** The neighbour answers, with its visit count one up. */
async function neighbourServes(): Promise<void> {
  const { status, report } = await visit(`${gw.url}/neighbour`);
  expect(status).toBe(200);
  expect(report?.visits).toBe(++neighbourVisits);
}

describe("the watchdog, where cgroups do not enforce the limits", () => {
  it("is reported as a layer, at start and to admins, instead of the cgroup layer", async () => {
    const res = await fetch(`${gw.url}/api/v1/admin/sandbox`);
    const body = await res.json() as { kind: string; layers: string[]; warnings: string[] };
    expect(body.kind).toBe("plain");
    expect(body.layers).toContain("watchdog:rss,cpu");
    expect(body.layers.some((l) => l.startsWith("cgroup-"))).toBe(false);
    expect(body.warnings.join("\n")).toMatch(/cgroup limits are switched off.*a watchdog samples each worker's RSS and CPU/);
    expect(gw.logs().find((l) => l.msg === "sandbox selected")?.layers).toEqual(body.layers);
  });

  it("kills a memory hog over its limit, says why in the app's log, restarts it; the neighbour keeps serving", async () => {
    const hog = supervisor("memory-hog");
    // Short: without a watchdog nothing would stop the hog before it filled the host's memory.
    const exit = nextExit(hog, 10_000);
    const page = visit(`${gw.url}/memory-hog`).catch((err: Error) => ({ status: 0, report: null, err }));
    await neighbourServes();
    const e = await exit;
    expect([e.code, e.signal]).toEqual([null, "SIGKILL"]);
    expect(e.reason).toMatch(/^killed by the watchdog: RSS \d+ MiB over the 256 MiB limit$/);
    expect((await page).status).not.toBe(200);
    expect(appLog.get("memory-hog")!.join("\n")).toMatch(
      /\[plothost\] worker exited \(code null, signal SIGKILL, killed by the watchdog: RSS \d+ MiB over the 256 MiB limit\); restarting in \d+ ms/,
    );
    await reaches(hog, "running", 30_000);
    await neighbourServes();
  });

  it("kills a busy loop over its CPU share for the window, restarts it; the neighbour keeps serving", async () => {
    const spin = supervisor("busy-loop");
    // Idle, it was not killed for its start-up, although that took more than its quarter of a core.
    expect(busyExits).toEqual([]);
    const exit = nextExit(spin, 30_000);
    const page = visit(`${gw.url}/busy-loop`).catch((err: Error) => ({ status: 0, report: null, err }));
    await neighbourServes();
    const e = await exit;
    expect([e.code, e.signal]).toEqual([null, "SIGKILL"]);
    expect(e.reason).toMatch(/^killed by the watchdog: CPU \d+% of one core over the last 4\.\d s, over the 25% limit$/);
    expect((await page).status).not.toBe(200);
    expect(appLog.get("busy-loop")!.join("\n")).toMatch(/worker exited \(code null, signal SIGKILL, killed by the watchdog: CPU \d+%/);
    await reaches(spin, "running", 30_000);
    await neighbourServes();
  });

  it("never kills the well-behaved neighbour", async () => {
    await neighbourServes();
    expect(neighbourExits).toEqual([]);
    expect(supervisor("neighbour").pid).toBe(neighbourPid);
    expect(appLog.get("neighbour")!.join("\n")).not.toMatch(/watchdog/);
  });
});
