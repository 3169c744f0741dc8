import type { ChildProcess } from "node:child_process";
import type { PrivilegeDrop } from "./bwrap-args.ts";
import { createBwrapSandbox } from "./bwrap.ts";
import type { CgroupLimiter } from "./cgroup-limiter.ts";
import { findExecutable, SYSTEM_DIRS } from "./host-layout.ts";
import type { CompiledSeccomp } from "./seccomp-compiler.ts";
import type { Sandbox } from "./types.ts";

/** Inputs of the probe: where to look for bwrap and how the sandbox would be configured. */
export interface BwrapProbeOptions {
  /** Directories searched for `bwrap`. */
  readonly searchDirs: readonly string[];
  /** The uid/gid to drop to when the gateway is root; null when it is not. */
  readonly drop: { readonly uid: number; readonly gid: number } | null;
  readonly tmpSizeBytes: number;
  readonly timeoutMs: number;
  /** Warnings to carry into the sandbox when it works. */
  readonly warnings: readonly string[];
  /** The syscall filter to apply (the probe runs under it too), or null. */
  readonly seccomp: CompiledSeccomp | null;
  /** The cgroup layer to hand to the sandbox, or null. */
  readonly cgroups: CgroupLimiter | null;
}

/** Either a bwrap sandbox that just ran a trivial command, or why there is none and what to do about it. */
export type BwrapProbeResult = { readonly sandbox: Sandbox } | { readonly reason: string };

/**
 * Finds bwrap, bash, env (and, as root, setpriv) and runs `true` through exactly the chain every worker will use,
 * so a missing namespace, an old bwrap or a missing tool shows up once at start instead of at each spawn.
 */
export async function probeBwrap(opts: BwrapProbeOptions): Promise<BwrapProbeResult> {
  const bwrap = findExecutable("bwrap", opts.searchDirs);
  if (!bwrap) {
    return { reason: "bubblewrap (bwrap) not found: install it with `apt-get install bubblewrap`" };
  }
  const trueBin = findExecutable("true", SYSTEM_DIRS);
  if (!trueBin) return { reason: `no \`true\` executable in ${SYSTEM_DIRS.join(":")} to probe bwrap with` };
  const envTool = findExecutable("env", SYSTEM_DIRS);
  const bash = findExecutable("bash", SYSTEM_DIRS);
  if (!envTool || !bash) {
    return { reason: `\`env\` or \`bash\` not found in ${SYSTEM_DIRS.join(":")} (install coreutils and bash)` };
  }
  let drop: PrivilegeDrop | null = null;
  if (opts.drop) {
    const setpriv = findExecutable("setpriv", SYSTEM_DIRS);
    if (!setpriv) return { reason: "setpriv not found (needed to drop root inside bwrap): install util-linux" };
    drop = { setpriv, ...opts.drop };
  }
  const { tmpSizeBytes, warnings, seccomp, cgroups } = opts;
  const sandbox = createBwrapSandbox({ bwrap, drop, envTool, bash, tmpSizeBytes, warnings, seccomp, cgroups });
  let child: ChildProcess;
  try {
    child = sandbox.spawn({ command: trueBin, args: [], env: {}, cwd: "/", readOnlyPaths: [], writablePaths: [] });
  } catch (err) {
    return { reason: `bwrap could not be started: ${(err as Error).message}` };
  }
  const failure = await outcome(child, opts.timeoutMs);
  if (failure === null) return { sandbox };
  const hint = opts.drop
    ? "check that this kernel/container allows pid, net and mount namespaces (a container needs CAP_SYS_ADMIN)"
    : "run the gateway as root, or allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1; " +
      "on Ubuntu kernel.apparmor_restrict_unprivileged_userns=0)";
  return { reason: `bubblewrap (${bwrap}) cannot create the sandbox: ${failure}; ${hint}` };
}

/** Null when the child exited 0 within the bound, else what went wrong (with bwrap's stderr). */
function outcome(child: ChildProcess, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    let stderr = "";
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => {
      if (stderr.length < 4096) stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      resolve(`no answer within ${timeoutMs} ms`);
    }, timeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      resolve(err.message);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      const detail = stderr.trim() || "no message";
      resolve(code === 0 ? null : `exit ${code ?? signal}: ${detail}`);
    });
  });
}
