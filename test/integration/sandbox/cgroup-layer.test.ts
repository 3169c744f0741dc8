// The cgroup layer on this host's real cgroups (v1 here, v2 where the host has it), through the bwrap sandbox:
// limits written before anything runs, the kernel enforcing them, the reason of an OOM kill, and cleanup.
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, type ResourceLimits, type Sandbox, type SandboxSpec } from "../../../gateway/src/sandbox/index.ts";
import { cgroupDirOf, cpuMsIn, keyed, limitsIn } from "./cgroup-files.ts";
import { eventually } from "./sandbox-harness.ts";

let sandbox: Sandbox;
const running: ChildProcess[] = [];

beforeAll(async () => {
  sandbox = await createSandbox({ prefer: "bwrap" });
});

afterAll(async () => {
  await sandbox.close();
  // Nothing of this test file's sandbox is left in the host's cgroup trees.
  const mine = new RegExp(`^plothost-${process.pid}-`);
  for (const base of cgroupBases()) expect(fs.readdirSync(base).filter((n) => mine.test(n))).toEqual([]);
});

afterEach(async () => {
  for (const child of running.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await gone;
    }
  }
});

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | string>;
  /** Resolves once stdout contains `text` (bounded: rejects after 10 s or when the process exits first). */
  printed(text: string): Promise<void>;
}

/** Runs `command args` in the sandbox with `limits`. */
function run(command: string, args: string[], limits: ResourceLimits): Run {
  const spec: SandboxSpec = { command, args, env: {}, cwd: "/", readOnlyPaths: [], writablePaths: [], limits, name: "cgroup-test" };
  const child = sandbox.spawn(spec);
  running.push(child);
  let out = "";
  child.stdout?.setEncoding("utf8").on("data", (c: string) => (out += c));
  child.stderr?.setEncoding("utf8").on("data", (c: string) => (out += c));
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "?")));
  const printed = (text: string) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`"${text}" not printed within 10 s; output: ${out}`)), 10_000);
    const check = () => {
      if (!out.includes(text)) return;
      clearTimeout(timer);
      resolve();
    };
    child.stdout?.on("data", check);
    check();
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before printing "${text}"; output: ${out}`));
    });
  });
  return { child, output: () => out, exited, printed };
}

/** Where this process's own cgroups are (the limiter creates its parent directories there). */
function cgroupBases(): string[] {
  return (["memory", "pids", "cpu"] as const).map((c) => cgroupDirOf(process.pid, c)).filter((d): d is string => d !== null);
}

const SH = "/bin/sh";
const PYTHON = "/usr/bin/python3";

describe("cgroup layer", () => {
  it("is active and named in the layers", () => {
    expect(sandbox.layers.find((l) => l.startsWith("cgroup-v"))).toMatch(/^cgroup-v[12]:memory,pids,cpu$/);
    expect(sandbox.warnings).toEqual([]);
  });

  it("writes the limits into a fresh cgroup the whole sandbox runs in, and removes it after the exit", async () => {
    const r = run(SH, ["-c", "echo ready; exec sleep 30"], { memoryMiB: 96, pids: 70, cpuPercent: 30 });
    await r.printed("ready");
    const pid = r.child.pid!;
    const limits = limitsIn(pid);
    expect(limits.memoryMiB).toBe(96);
    // Swap is accounted here (v1 memsw): the same limit, so the excess cannot go to swap instead.
    if (limits.memswMiB !== null) expect(limits.memswMiB).toBe(96);
    expect(limits.pids).toBe(70);
    expect(limits.cpuPercent).toBe(30);
    // The launcher (bwrap, pid below) and the command inside share the cgroup: one dir per worker, named after it.
    const dir = cgroupDirOf(pid, "memory")!;
    expect(path.basename(dir)).toMatch(/^cgroup-test-\d+$/);
    expect(path.basename(path.dirname(dir))).toMatch(new RegExp(`^plothost-${process.pid}-`));
    r.child.kill("SIGKILL");
    await r.exited;
    expect(await eventually(() => !fs.existsSync(dir) && !fs.existsSync(path.dirname(dir)), 5000)).toBe(true);
  });

  it("an allocation beyond the memory limit is OOM-killed: exit 137, and the sandbox names the reason", async () => {
    const r = run(process.execPath, ["-e", "const a = []; for (;;) a.push(Buffer.alloc(8 << 20, 1));"], { memoryMiB: 64, pids: 64, cpuPercent: 100 });
    expect(await r.exited).toBe(137);
    expect(sandbox.exitReason(r.child)).toBe("killed: out of memory (limit 64 MiB)");
  });

  it("a process killed for another reason gets no OOM reason", async () => {
    const r = run(SH, ["-c", "echo ready; exec sleep 30"], { memoryMiB: 64, pids: 64, cpuPercent: 100 });
    await r.printed("ready");
    r.child.kill("SIGKILL");
    await r.exited;
    expect(sandbox.exitReason(r.child)).toBeNull();
  });

  it("the pids limit stops a fork bomb well below it: fork fails with EAGAIN", async () => {
    const bomb = [
      "import os, time",
      "n = 0",
      "try:",
      "    while n < 1000:",
      "        if os.fork() == 0:",
      "            time.sleep(30)",
      "            os._exit(0)",
      "        n += 1",
      "    print('forked', n, 'errno', 0, flush=True)",
      "except OSError as e:",
      "    print('forked', n, 'errno', e.errno, flush=True)",
      "time.sleep(30)",
    ].join("\n");
    const r = run(PYTHON, ["-c", bomb], { memoryMiB: 256, pids: 64, cpuPercent: 100 });
    await r.printed("errno");
    const [, forked, errno] = /forked (\d+) errno (\d+)/.exec(r.output())!.map(Number);
    expect(errno).toBe(11); // EAGAIN
    expect(forked).toBeLessThan(64);
    // The kernel counted the refusals.
    expect(keyed(path.join(cgroupDirOf(r.child.pid!, "pids")!, "pids.events")).max).toBeGreaterThan(0);
  });

  it("the CPU quota holds a busy loop to its share of one core", async () => {
    const r = run(PYTHON, ["-c", "print('spinning', flush=True)\nwhile True: pass"], { memoryMiB: 128, pids: 64, cpuPercent: 20 });
    await r.printed("spinning");
    const dir = cgroupDirOf(r.child.pid!, "cpu")!;
    // 200 ms of CPU take at least 200 / 0.2 = 1000 ms of wall time under a 20 % quota (unlimited: ~200 ms). A
    // busy machine only makes it slower, so the bound cannot fail for the wrong reason.
    const start = cpuMsIn(dir);
    const t0 = performance.now();
    expect(await eventually(() => cpuMsIn(dir) - start >= 200, 15_000)).toBe(true);
    expect(performance.now() - t0).toBeGreaterThan(700);
  });
});
