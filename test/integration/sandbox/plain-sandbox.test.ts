import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createSandbox } from "../../../gateway/src/sandbox/index.ts";
import { randomUUID } from "node:crypto";
import {
  eventually, fetchReport, inspect, INSPECTOR, IS_ROOT, pidsWithMarker, startInspector, stop, TempDirs,
} from "./sandbox-harness.ts";

const temp = new TempDirs();
afterEach(() => temp.cleanup());

/** The inspector copied into a fresh dir with the given mode on its parent, plus a socket dir next to it. */
function layout(parentMode: number): { script: string; socketPath: string; runDir: string } {
  const parent = temp.make("plain", parentMode);
  const appDir = path.join(parent, "app");
  const runDir = path.join(parent, "run");
  fs.mkdirSync(appDir);
  fs.mkdirSync(runDir);
  fs.chmodSync(appDir, 0o755);
  const script = path.join(appDir, "worker.mjs");
  fs.copyFileSync(INSPECTOR, script);
  return { script, socketPath: path.join(runDir, "w.sock"), runDir };
}

describe("plain sandbox", () => {
  it("is chosen on request and warns that tenants are not isolated", async () => {
    const sandbox = await createSandbox({ prefer: "plain" });
    expect(sandbox.kind).toBe("plain");
    expect(sandbox.warnings.join(" ")).toMatch(/NOT isolated/);
    expect(sandbox.warnings.join(" ")).toMatch(/apt-get install bubblewrap/);
    expect(sandbox.layers).toContain("clearenv");
    if (IS_ROOT) expect(sandbox.layers).toContain("uid:65534");
  });

  it("serves on a Unix socket with exactly the given environment, as the unprivileged uid when root", async () => {
    const sandbox = await createSandbox({ prefer: "plain" });
    const { script, socketPath, runDir } = layout(0o755);
    const env = { PLOTHOST_TEST: "1", OTHER: "x y" };
    const report = await inspect(sandbox, { socketPath }, { script, env });
    expect(report.env).toEqual(env);
    expect(report.cwd).toBe(path.dirname(script));
    expect(report.uid).toBe(IS_ROOT ? 65534 : process.getuid?.());
    expect(fs.statSync(runDir).uid).toBe(IS_ROOT ? 65534 : process.getuid?.());
    if (IS_ROOT) {
      // Dropped with setpriv: no way back to root, not even through a setuid binary.
      expect(report.status.NoNewPrivs).toBe("1");
      expect([report.status.CapEff, report.status.CapBnd]).toEqual(["0000000000000000", "0000000000000000"]);
      expect(report.groups).toEqual([65534]);
    }
  });

  it("when the uid cannot reach the project (0700 parent), runs the tenant as the gateway's uid and warns once", async () => {
    const told: string[] = [];
    const sandbox = await createSandbox({ prefer: "plain", onWarning: (m) => told.push(m) });
    const before = sandbox.warnings.length;
    const { script, socketPath } = layout(0o700);
    const first = await inspect(sandbox, { socketPath }, { script });
    const second = await inspect(sandbox, { socketPath }, { script });
    expect([first.uid, second.uid]).toEqual([process.getuid?.(), process.getuid?.()]);
    if (IS_ROOT) {
      expect(told).toHaveLength(1);
      expect(told[0]).toMatch(/uid 65534 cannot reach .*runs as root/);
      expect(sandbox.warnings).toHaveLength(before + 1);
    } else {
      expect(told).toEqual([]);
    }
  });

  it("keeps the cgroup limits, whose cleanup kills the descendants a worker leaves behind", async () => {
    const sandbox = await createSandbox({ prefer: "plain" });
    expect(sandbox.layers.find((l) => l.startsWith("cgroup-v"))).toMatch(/^cgroup-v[12]:memory,pids,cpu$/);
    const limits = { memoryMiB: 256, pids: 64, cpuPercent: 100 };
    const run = async (withLimits: boolean) => {
      const marker = `plothost-plain-${randomUUID()}`;
      const { script, socketPath } = layout(0o755);
      const running = await startInspector(sandbox, { socketPath, spawnChild: true, marker }, { script, ...(withLimits ? { limits } : {}) });
      const { childPid } = await fetchReport(socketPath);
      await stop(running);
      return { marker, childPid: childPid! };
    };
    // Without a cgroup the plain sandbox cannot find the orphan: it survives its parent (then the test ends it).
    const unlimited = await run(false);
    expect(pidsWithMarker(unlimited.marker)).toEqual([unlimited.childPid]);
    process.kill(unlimited.childPid, "SIGKILL");
    const limited = await run(true);
    expect(await eventually(() => pidsWithMarker(limited.marker).length === 0, 5000)).toBe(true);
    await sandbox.close();
  });

  it("delivers SIGTERM to the worker", async () => {
    const sandbox = await createSandbox({ prefer: "plain" });
    const { script, socketPath } = layout(0o755);
    const running = await startInspector(sandbox, { socketPath }, { script });
    running.child.kill("SIGTERM");
    expect(await running.exited).toBe(0);
    expect(running.stdout()).toContain("got SIGTERM");
  });
});
