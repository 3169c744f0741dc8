// How a limited spawn enters its cgroup: before the launcher execs, and never without it. A stand-in limiter
// makes joining fail on purpose; the command must then never run.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createBwrapSandbox } from "../../../gateway/src/sandbox/bwrap.ts";
import type { CgroupLimiter } from "../../../gateway/src/sandbox/cgroup-limiter.ts";
import { findExecutable, SYSTEM_DIRS } from "../../../gateway/src/sandbox/host-layout.ts";
import { createPlainSandbox } from "../../../gateway/src/sandbox/plain.ts";
import type { Sandbox } from "../../../gateway/src/sandbox/index.ts";
import { IS_ROOT, TempDirs } from "./sandbox-harness.ts";

const temp = new TempDirs();
afterEach(() => temp.cleanup());

const tool = (name: string) => {
  const found = findExecutable(name, SYSTEM_DIRS);
  if (!found) throw new Error(`${name} not found`);
  return found;
};

/** A limiter whose cgroups cannot be joined (or not even created). */
function brokenLimiter(how: "join" | "create"): CgroupLimiter {
  return {
    version: 1, controllers: ["memory"], warnings: [],
    create: () => {
      if (how === "create") throw new Error("EROFS: read-only cgroup fs");
      return { dirs: [], procsFiles: ["/nonexistent-plothost-cgroup/cgroup.procs"], oomKills: () => 0, remove: async () => true };
    },
    close: async () => {},
  };
}

function sandboxes(limiter: CgroupLimiter): Array<[string, Sandbox]> {
  const drop = IS_ROOT ? { uid: 65534, gid: 65534 } : null;
  return [
    ["bwrap", createBwrapSandbox({
      bwrap: tool("bwrap"), drop: drop && { ...drop, setpriv: tool("setpriv") }, envTool: tool("env"), bash: tool("bash"),
      tmpSizeBytes: 1 << 20, cgroups: limiter,
    })],
    ["plain", createPlainSandbox({
      drop, warnings: ["test"], tools: { bash: tool("bash"), env: tool("env"), setpriv: IS_ROOT ? tool("setpriv") : null }, cgroups: limiter,
    })],
  ];
}

/** Spawns `touch <marker>` with limits; resolves with the exit code and stderr (bounded). */
function touch(sandbox: Sandbox, dir: string): Promise<{ code: number | null; stderr: string }> {
  const child = sandbox.spawn({
    command: tool("touch"), args: [path.join(dir, "ran")], env: {}, cwd: dir, readOnlyPaths: [], writablePaths: [dir],
    limits: { memoryMiB: 128, pids: 64, cpuPercent: 100 }, name: "fail-closed",
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe("joining the cgroup", () => {
  it("fails closed: when the cgroup cannot be joined, the command never runs (exit 125)", async () => {
    for (const [kind, sandbox] of sandboxes(brokenLimiter("join"))) {
      const dir = temp.make(`join-${kind}`, 0o777);
      const { code, stderr } = await touch(sandbox, dir);
      expect([kind, code]).toEqual([kind, 125]);
      expect(stderr).toContain("plothost: could not join cgroup /nonexistent-plothost-cgroup/cgroup.procs");
      expect(fs.existsSync(path.join(dir, "ran"))).toBe(false);
    }
  });

  it("fails closed when the cgroup cannot even be created, with the reason on stderr", async () => {
    for (const [kind, sandbox] of sandboxes(brokenLimiter("create"))) {
      const dir = temp.make(`create-${kind}`, 0o777);
      const { code, stderr } = await touch(sandbox, dir);
      expect([kind, code]).toEqual([kind, 125]);
      expect(stderr).toContain("plothost: could not create the worker's cgroup: EROFS: read-only cgroup fs");
      expect(fs.existsSync(path.join(dir, "ran"))).toBe(false);
    }
  });

  it("runs the command when it can join (the same chain with a working limiter)", async () => {
    const working: CgroupLimiter = { ...brokenLimiter("join"), create: () => ({ dirs: [], procsFiles: [], oomKills: () => 0, remove: async () => true }) };
    for (const [kind, sandbox] of sandboxes(working)) {
      const dir = temp.make(`ok-${kind}`, 0o777);
      expect([kind, (await touch(sandbox, dir)).code]).toEqual([kind, 0]);
      expect(fs.existsSync(path.join(dir, "ran"))).toBe(true);
    }
  });
});
