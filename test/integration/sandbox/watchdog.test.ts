// The RSS and CPU watchdog (gateway/src/sandbox/watchdog.ts) with real processes: only where cgroups leave a
// limit unenforced, summing a worker's whole process tree, killing the whole tree, sparing a quiet neighbour.
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { createSandbox, type ResourceLimits, type Sandbox } from "../../../gateway/src/sandbox/index.ts";
import { eventually } from "./sandbox-harness.ts";

const FAST = { intervalMs: 100, cpuWindowMs: 1000 };

/** Runs `node -e code` in the sandbox with `limits`; `exited` resolves with how it ended and the sandbox's reason. */
function run(sandbox: Sandbox, code: string, limits: ResourceLimits) {
  const child: ChildProcess = sandbox.spawn({
    command: process.execPath, args: ["-e", code], env: {}, cwd: "/tmp", readOnlyPaths: [], writablePaths: [], limits,
  });
  let out = "";
  child.stdout?.setEncoding("utf8").on("data", (c: string) => (out += c));
  const exited = new Promise<{ code: number | null; signal: string | null; reason: string | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal, reason: sandbox.exitReason(child) }));
  });
  return { child, exited, out: () => out };
}

/** Rejects after `ms`, so a watchdog that never acts fails the test instead of hanging it. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

describe("the watchdog", () => {
  it("is a layer only where cgroups do not enforce the memory and CPU limits", async () => {
    const withCgroups = await createSandbox({ prefer: "plain" });
    const cgroupLayer = withCgroups.layers.find((l) => l.startsWith("cgroup-"));
    // On a host whose cgroups give memory and cpu (CI's), the watchdog stays off.
    if (cgroupLayer && /memory/.test(cgroupLayer) && /cpu/.test(cgroupLayer)) {
      expect(withCgroups.layers.some((l) => l.startsWith("watchdog"))).toBe(false);
    }
    const plain = await createSandbox({ prefer: "plain", cgroups: false });
    expect(plain.layers).toContain("watchdog:rss,cpu");
    expect(plain.warnings.join("\n")).toMatch(/a watchdog samples each worker's RSS and CPU/);
    const bwrap = await createSandbox({ prefer: "bwrap", cgroups: false });
    expect(bwrap.layers.at(-1)).toBe("watchdog:rss,cpu");
    await Promise.all([withCgroups.close(), plain.close(), bwrap.close()]);
  });

  it("counts a descendant's memory and kills the whole tree, descendant included", async () => {
    const sandbox = await createSandbox({ prefer: "plain", cgroups: false, watchdog: FAST });
    // The parent stays small; its child allocates 8 MiB every 20 ms, and prints its pid first.
    const grow = "const h = []; setInterval(() => h.push(Buffer.alloc(8 << 20, 1)), 20)";
    const parent = `const c = require("child_process").spawn(process.execPath, ["-e", ${JSON.stringify(grow)}], { stdio: "ignore" });
      console.log("child " + c.pid); setInterval(() => {}, 1000);`;
    const p = run(sandbox, parent, { memoryMiB: 160, pids: 64, cpuPercent: 400 });
    const outcome = await within(p.exited, 20_000, "the watchdog's kill");
    expect(outcome).toMatchObject({ code: null, signal: "SIGKILL" });
    expect(outcome.reason).toMatch(/^killed by the watchdog: RSS \d+ MiB over the 160 MiB limit$/);
    const childPid = Number(/child (\d+)/.exec(p.out())?.[1]);
    expect(childPid).toBeGreaterThan(0);
    // The descendant was stopped and killed with its parent (a zombie until init reaps it counts as gone).
    const gone = () => {
      try {
        return /^State:\s+Z/m.test(fs.readFileSync(`/proc/${childPid}/status`, "utf8"));
      } catch {
        return true;
      }
    };
    expect(await eventually(gone, 5000)).toBe(true);
    await sandbox.close();
  });

  it("under bwrap, kills a busy loop over its CPU share for the window and spares a quiet process beside it", async () => {
    const sandbox = await createSandbox({ prefer: "bwrap", cgroups: false, watchdog: FAST });
    const limits = { memoryMiB: 512, pids: 64, cpuPercent: 20 };
    const quiet = run(sandbox, "setInterval(() => {}, 50)", limits);
    const busy = run(sandbox, "let n = 0; for (;;) n = (n + 1) % 1000003", limits);
    const outcome = await within(busy.exited, 20_000, "the watchdog's kill");
    expect(outcome).toMatchObject({ code: null, signal: "SIGKILL" });
    expect(outcome.reason).toMatch(/^killed by the watchdog: CPU \d+% of one core over the last 1\.\d s, over the 20% limit$/);
    // The quiet one was watched for the same windows, with the same limits, and still runs.
    expect(quiet.child.exitCode).toBeNull();
    expect(quiet.child.signalCode).toBeNull();
    quiet.child.kill("SIGKILL");
    expect((await quiet.exited).reason).toBeNull();
    await sandbox.close();
  });
});
