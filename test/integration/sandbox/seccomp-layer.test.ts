// The seccomp layer: the deny-list compiled with libseccomp, and what it refuses inside a real bwrap sandbox
// compared with the same sandbox without it (so each refusal is the filter's doing, not the uid drop's).
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, type Sandbox } from "../../../gateway/src/sandbox/index.ts";
import { compileSeccomp } from "../../../gateway/src/sandbox/seccomp-compiler.ts";
import { WORKER_SECCOMP_POLICY } from "../../../gateway/src/sandbox/seccomp-policy.ts";
import { FIXTURE_DIR } from "./sandbox-harness.ts";

const EPERM = 1;
const ENOSYS = 38;
const PROBE = path.join(FIXTURE_DIR, "syscall-probe.py");

let filtered: Sandbox;
let unfiltered: Sandbox;

beforeAll(async () => {
  [filtered, unfiltered] = await Promise.all([
    createSandbox({ prefer: "bwrap" }),
    createSandbox({ prefer: "bwrap", seccomp: false }),
  ]);
});
afterAll(async () => {
  await Promise.all([filtered.close(), unfiltered.close()]);
});

/** Runs the syscall probe in `sandbox` (bounded) and returns {probe: errno}. */
function probe(sandbox: Sandbox): Promise<Record<string, number>> {
  const child = sandbox.spawn({
    command: "/usr/bin/python3", args: [PROBE], env: {}, cwd: FIXTURE_DIR, readOnlyPaths: [FIXTURE_DIR], writablePaths: [],
  });
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (c: string) => (out += c));
  child.stderr?.setEncoding("utf8").on("data", (c: string) => (err += c));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out) as Record<string, number>);
      else reject(new Error(`probe exited ${code}: ${err}`));
    });
  });
}

describe("seccomp layer", () => {
  it("compiles the deny-list with libseccomp into native BPF that checks the architecture first", async () => {
    const compiled = await compileSeccomp(WORKER_SECCOMP_POLICY, { timeoutMs: 10_000 });
    if (!("bpf" in compiled)) throw new Error(compiled.reason);
    expect(compiled.bpf.length % 8).toBe(0);
    // Instruction 0: BPF_LD|BPF_W|BPF_ABS of seccomp_data.arch (offset 4); a filter that skipped it could be
    // bypassed through another ABI's syscall numbers.
    expect([compiled.bpf.readUInt16LE(0), compiled.bpf.readUInt32LE(4)]).toEqual([0x20, 4]);
    const names = [...WORKER_SECCOMP_POLICY.eperm, ...WORKER_SECCOMP_POLICY.enosys];
    expect(compiled.skipped.every((n) => names.includes(n))).toBe(true);
    expect(compiled.skipped.length).toBeLessThan(3);
  });

  it("is active under bwrap and closes nested user namespaces", () => {
    expect(filtered.layers).toEqual(expect.arrayContaining(["seccomp:deny-list", "no-nested-userns"]));
    expect(filtered.warnings).toEqual([]);
    expect(unfiltered.layers).not.toContain("seccomp:deny-list");
    if (process.getuid?.() === 0) expect(unfiltered.layers).not.toContain("no-nested-userns");
    expect(unfiltered.warnings.join(" ")).toMatch(/seccomp syscall deny-list is switched off/);
  });

  it("refuses unshare, namespace clones, ptrace, userfaultfd and io_uring with EPERM, clone3 with ENOSYS", async () => {
    const seen = await probe(filtered);
    expect(seen).toEqual({
      "unshare(CLONE_NEWUSER)": EPERM, "unshare(CLONE_NEWNS)": EPERM, "clone(CLONE_NEWUSER)": EPERM, clone3: ENOSYS,
      "ptrace(TRACEME)": EPERM, "mount(tmpfs)": EPERM, userfaultfd: EPERM, io_uring_setup: EPERM,
    });
  });

  it("without the filter the same tenant could make a user namespace, ptrace and userfaultfd (the gap it closes)", async () => {
    const seen = await probe(unfiltered);
    expect(seen["unshare(CLONE_NEWUSER)"]).toBe(0);
    expect(seen["clone(CLONE_NEWUSER)"]).toBe(0);
    expect(seen["ptrace(TRACEME)"]).toBe(0);
    expect(seen.userfaultfd).toBe(0);
    // clone3 reaches the kernel (which rejects the null argument) instead of answering ENOSYS.
    expect(seen.clone3).not.toBe(ENOSYS);
  });

  it("falls back loudly, with the install command, when no Python has the seccomp binding", async () => {
    const result = await compileSeccomp(WORKER_SECCOMP_POLICY, { timeoutMs: 5000, pythons: ["/nonexistent/python3"] });
    expect(result).toEqual({ reason: expect.stringMatching(/could not be compiled .*apt-get install python3-seccomp/) });
  });
});
