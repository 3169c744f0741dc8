import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { SeccompPolicy } from "./seccomp-policy.ts";

/** A compiled filter: classic BPF for the host's native architecture, as `bwrap --seccomp FD` reads it. */
export interface CompiledSeccomp {
  readonly bpf: Buffer;
  /** Policy names this architecture has no syscall for (e.g. `umount` on x86-64), so nothing to refuse. */
  readonly skipped: readonly string[];
}

/**
 * Compiles the policy with libseccomp's Python binding (Debian `python3-seccomp`). libseccomp, not a
 * hand-written filter: it checks the architecture first (other ABIs are killed, x32 included), knows each
 * architecture's syscall numbers, and is what Docker, systemd and Flatpak build their filters with.
 * The program prints nothing but the BPF on stdout; skipped names go to stderr as JSON.
 */
const PROGRAM = `
import errno, json, sys, seccomp
policy = json.loads(sys.argv[1])
f = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
skipped = []
def rule(action, name, *args):
    try:
        f.add_rule(action, name, *args)
    except (RuntimeError, ValueError, OSError):
        skipped.append(name)
for name in policy["eperm"]:
    rule(seccomp.ERRNO(errno.EPERM), name)
for name in policy["enosys"]:
    rule(seccomp.ERRNO(errno.ENOSYS), name)
for name, flags in policy["epermIfFlags"].items():
    for flag in flags:
        rule(seccomp.ERRNO(errno.EPERM), name, seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
sys.stdout.flush()
f.export_bpf(sys.stdout)
sys.stderr.write(json.dumps({"skipped": sorted(set(skipped))}))
`;

/** Where a Python with the binding may be: Debian's own first (a pyenv or /usr/local Python lacks it). */
const PYTHONS = ["/usr/bin/python3", "/usr/local/bin/python3", "/bin/python3"];

/**
 * Compiles `policy` with the first Python that has the seccomp binding; bounded by `timeoutMs` per attempt.
 * Resolves with the filter, or with why there is none and how to get one (it never throws).
 */
export async function compileSeccomp(
  policy: SeccompPolicy,
  opts: { timeoutMs: number; pythons?: readonly string[] },
): Promise<CompiledSeccomp | { readonly reason: string }> {
  const candidates = (opts.pythons ?? PYTHONS).filter((p) => path.isAbsolute(p) && fs.existsSync(p));
  let last = `no python3 in ${(opts.pythons ?? PYTHONS).join(", ")}`;
  for (const python of candidates) {
    const result = await run(python, JSON.stringify(policy), opts.timeoutMs);
    if ("bpf" in result) return result;
    last = `${python}: ${result.reason}`;
  }
  return { reason: `the seccomp filter could not be compiled (${last}); install it with \`apt-get install python3-seccomp\`` };
}

function run(python: string, policyJson: string, timeoutMs: number): Promise<CompiledSeccomp | { reason: string }> {
  return new Promise((resolve) => {
    execFile(
      python, ["-c", PROGRAM, policyJson],
      { env: {}, encoding: "buffer", timeout: timeoutMs, killSignal: "SIGKILL", maxBuffer: 1 << 20 },
      (err, stdout, stderr) => {
        const errText = stderr.toString("utf8").trim();
        // One BPF instruction is 8 bytes; a filter that compiled has at least the arch check and a return.
        if (err || stdout.length < 16 || stdout.length % 8 !== 0) {
          const why = errText.split("\n").pop() || err?.message || `unexpected output of ${stdout.length} bytes`;
          resolve({ reason: why });
          return;
        }
        let skipped: string[] = [];
        try {
          skipped = (JSON.parse(errText) as { skipped: string[] }).skipped;
        } catch {
          skipped = [];
        }
        resolve({ bpf: stdout, skipped });
      },
    );
  });
}
