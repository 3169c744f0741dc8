/**
 * The sandbox that runs tenant workers: the `Sandbox` interface (declared in `types.ts` to keep the
 * implementations free of import cycles), its two implementations, and `createSandbox`, the only place that
 * chooses between them.
 */
import { detectCgroups } from "./cgroup-detect.ts";
import type { CgroupLimiter } from "./cgroup-limiter.ts";
import { findExecutable, SYSTEM_DIRS } from "./host-layout.ts";
import { createPlainSandbox } from "./plain.ts";
import { probeBwrap } from "./probe.ts";
import { SandboxError } from "./sandbox-error.ts";
import { compileSeccomp, type CompiledSeccomp } from "./seccomp-compiler.ts";
import { WORKER_SECCOMP_POLICY } from "./seccomp-policy.ts";
import type { CreateSandboxOptions, Sandbox } from "./types.ts";
import { withWatchdog, type WatchdogMetric } from "./watchdog.ts";

export type {
  CreateSandboxOptions, ResourceLimits, Sandbox, SandboxKind, SandboxPreference, SandboxSpec, WatchdogOptions,
} from "./types.ts";
export { SandboxError, type SandboxErrorCode } from "./sandbox-error.ts";

/** nobody / nogroup on Debian. */
const DEFAULT_ID = 65534;
const DEFAULT_TMP_BYTES = 64 * 1024 * 1024;
const DEFAULT_PROBE_TIMEOUT_MS = 5000;
const NOT_ISOLATED = "tenants are NOT isolated (they share the host's files, network and processes)";
const SECCOMP_TIMEOUT_MS = 10_000;
const WATCHDOG_NOTE =
  " (a watchdog samples each worker's RSS and CPU and kills one over its limits, but a fast allocation can " +
  "overshoot between samples and nothing bounds pids)";

/**
 * Probes once and returns the strongest sandbox available: bwrap when it can create the namespaces we need,
 * else (with `prefer: "auto"`) plain with a warning that says what is missing and how to fix it. With
 * `prefer: "bwrap"` a failed probe throws `SandboxError("sandbox_unavailable")` instead.
 *
 * As root, tenant code runs as `uid`/`gid` (default 65534): bwrap runs without a user namespace (so it can open
 * bind sources under 0700 dirs like /root) and `setpriv` drops to the uid inside, right before the command.
 * Not root: bwrap runs in a user namespace as the gateway's own uid, and `uid`/`gid` are ignored.
 *
 * Two more layers are set up here, each with a loud warning when the host cannot give it: the seccomp syscall
 * deny-list (compiled once, with python3-seccomp) and the cgroup limits (v2 or v1, whichever holds the
 * controllers). The plain fallback keeps the cgroup limits, not the filter (it needs bwrap to install it).
 * Where cgroups do not enforce the memory or CPU limit, the watchdog (`watchdog.ts`) samples them from /proc
 * instead; it is never active next to the cgroup controller that does the same job.
 */
export async function createSandbox(opts: CreateSandboxOptions = {}): Promise<Sandbox> {
  const prefer = opts.prefer ?? "auto";
  const uid = opts.uid ?? DEFAULT_ID;
  const gid = opts.gid ?? DEFAULT_ID;
  for (const id of [uid, gid]) {
    if (!Number.isInteger(id) || id <= 0) {
      throw new SandboxError("sandbox_unavailable", `sandbox uid/gid must be a positive integer (not root), got ${id}`);
    }
  }
  const isRoot = process.getuid?.() === 0;
  const drop = isRoot ? { uid, gid } : null;
  const cgroupWarnings: string[] = [];
  const cgroups = limiterOrWarn(opts.cgroups ?? true, cgroupWarnings);
  const plain = (why: string) => {
    const tools = plainTools(isRoot);
    const missing = cgroups && !tools ? ["cgroup limits are NOT enforced: bash, env or setpriv missing in the system dirs"] : [];
    const sandbox = createPlainSandbox({
      drop, warnings: [`${why}: ${NOT_ISOLATED}`, ...cgroupWarnings, ...missing], onWarning: opts.onWarning, tools, cgroups,
    });
    return watched(sandbox, tools ? cgroups : null, opts);
  };
  if (prefer === "plain") {
    return plain("sandbox 'plain' was chosen; install bubblewrap (apt-get install bubblewrap) and use 'auto'");
  }
  const warnings = [...cgroupWarnings];
  let seccomp: CompiledSeccomp | null = null;
  if (opts.seccomp ?? true) {
    const compiled = await compileSeccomp(WORKER_SECCOMP_POLICY, { timeoutMs: SECCOMP_TIMEOUT_MS });
    if ("bpf" in compiled) seccomp = compiled;
    else warnings.push(`${compiled.reason}: tenants may use ptrace, mount, unshare, bpf and the other denied syscalls`);
  } else {
    warnings.push("the seccomp syscall deny-list is switched off: tenants may use ptrace, mount, unshare, bpf, ...");
  }
  if (!isRoot && (opts.uid !== undefined || opts.gid !== undefined)) {
    warnings.push(
      `uid/gid options ignored: the gateway is not root, so tenants run as its uid ${process.getuid?.()} ` +
        "inside a user namespace",
    );
  }
  const probe = await probeBwrap({
    searchDirs: opts.searchPath ? opts.searchPath.split(":").filter(Boolean) : SYSTEM_DIRS,
    drop,
    tmpSizeBytes: opts.tmpSizeBytes ?? DEFAULT_TMP_BYTES,
    timeoutMs: opts.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
    warnings,
    seccomp,
    cgroups,
  });
  if ("sandbox" in probe) return watched(probe.sandbox, cgroups, opts);
  if (prefer === "bwrap") {
    throw new SandboxError("sandbox_unavailable", `sandbox 'bwrap' was required but ${probe.reason}`);
  }
  return plain(`falling back to the plain sandbox because ${probe.reason}`);
}

/** `sandbox`, with the RSS/CPU watchdog for the limits that `enforcing` (the cgroups it uses) leaves unenforced. */
function watched(sandbox: Sandbox, enforcing: CgroupLimiter | null, opts: CreateSandboxOptions): Sandbox {
  const controllers = enforcing?.controllers ?? [];
  const metrics: WatchdogMetric[] = [
    ...(controllers.includes("memory") ? [] : ["rss" as const]), ...(controllers.includes("cpu") ? [] : ["cpu" as const]),
  ];
  return metrics.length > 0 ? withWatchdog(sandbox, metrics, opts.watchdog) : sandbox;
}

/** The cgroup layer, or null with a warning that says why limits are not enforced. */
function limiterOrWarn(wanted: boolean, warnings: string[]): CgroupLimiter | null {
  if (!wanted) {
    warnings.push(`cgroup limits are switched off: a tenant can use all memory, CPU and pids of the host${WATCHDOG_NOTE}`);
    return null;
  }
  const found = detectCgroups();
  if ("reason" in found) {
    warnings.push(`worker memory, pids and CPU limits are NOT enforced: ${found.reason}${WATCHDOG_NOTE}`);
    return null;
  }
  warnings.push(...found.limiter.warnings);
  return found.limiter;
}

/** What the plain sandbox needs to join a cgroup (and, as root, drop root) on the host; null when one is missing. */
function plainTools(isRoot: boolean): { bash: string; env: string; setpriv: string | null } | null {
  const bash = findExecutable("bash", SYSTEM_DIRS);
  const env = findExecutable("env", SYSTEM_DIRS);
  const setpriv = findExecutable("setpriv", SYSTEM_DIRS);
  if (!bash || !env || (isRoot && !setpriv)) return null;
  return { bash, env, setpriv };
}
