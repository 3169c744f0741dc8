/**
 * The sandbox contract, kept apart from `index.ts` so the implementations can import it without an import cycle
 * (madge counts type-only imports). Import these from `./index.ts`, which re-exports them.
 */
import type { ChildProcess } from "node:child_process";

/** Which implementation runs tenant code. */
export type SandboxKind = "bwrap" | "plain";

/** What `createSandbox` should pick: `auto` falls back to `plain` loudly, `bwrap` fails instead. */
export type SandboxPreference = "auto" | "bwrap" | "plain";

/**
 * Everything one sandboxed process needs, stated in full: the child inherits nothing from the gateway (no
 * environment, no file system beyond the listed paths plus a minimal system, no network).
 *
 * Deliberately left out: stdin (workers get their work over their socket, never from the gateway's terminal).
 */
export interface SandboxSpec {
  /** Absolute path of the executable (the gateway passes `process.execPath`). */
  command: string;
  args: string[];
  /**
   * The complete environment of the child; nothing is inherited. Under bwrap the values are part of the
   * launcher's command line (visible to host users through `ps`), so never put long-lived secrets here.
   */
  env: Record<string, string>;
  /** Absolute working directory; it does not need to be listed below (its parents are created as needed). */
  cwd: string;
  /** Files or directories visible read-only at the same path inside (code, dependencies, the app). */
  readOnlyPaths: string[];
  /**
   * Directories visible read-write at the same path inside (the worker's socket dir, its data dir). When the
   * gateway runs as root, each listed directory itself (not its contents) is chowned to the worker's uid/gid.
   */
  writablePaths: string[];
  /** Overrides the sandbox's default uid for this child (root only; tenants should not share a uid). */
  uid?: number;
  /** Overrides the sandbox's default gid for this child (root only). */
  gid?: number;
  /**
   * Memory, task and CPU limits for the child's whole process tree, enforced by a cgroup the tree joins before
   * the command starts (when the host offers cgroups to the gateway; see `Sandbox.layers`), else sampled by the
   * watchdog (memory and CPU only, `watchdog.ts`). Absent: unlimited.
   */
  limits?: ResourceLimits;
  /** A label for the child's cgroup and messages, e.g. the app name (letters, digits, `-`, `_`). */
  name?: string;
}

/**
 * Resource limits of one sandboxed process tree. Deliberately not here: disk quota (the writable dirs live on
 * the host's file system; the private `/tmp` has its own size limit) and network bandwidth (there is no network).
 */
export interface ResourceLimits {
  /** RAM (plus swap, where the kernel accounts it) in MiB; above it the kernel's OOM killer ends a task (exit 137). */
  readonly memoryMiB: number;
  /** Most tasks at once, threads included (Node alone runs a dozen): keep it at 64 or more. */
  readonly pids: number;
  /** CPU time as a percentage of one core: 100 is one core, 50 half of one, 200 two. */
  readonly cpuPercent: number;
}

/**
 * Runs tenant code. One instance serves every app; `createSandbox` picks the implementation once at start.
 *
 * Lifecycle of a spawned child: stdio is `['ignore', 'pipe', 'pipe']`. `kill('SIGKILL')` (or the gateway dying)
 * ends the whole sandbox, descendants included, under bwrap. Other signals (SIGTERM, SIGINT) are delivered to
 * the sandboxed command itself so it can shut down gracefully; the returned process exits when it does.
 * Under `plain` only the direct child is signalled: descendants it started may survive, and fds the gateway
 * inherited without close-on-exec reach the child (not isolated). Under bwrap only stdio reaches it.
 */
export interface Sandbox {
  readonly kind: SandboxKind;
  /** What is active, e.g. `["uid:65534", "namespaces:pid,net,ipc,uts,mount,cgroup", "clearenv", "no-new-privs"]`. */
  readonly layers: readonly string[];
  /** Why tenants are less isolated than they should be, and how to fix it. Empty when fully sandboxed. */
  readonly warnings: readonly string[];
  /**
   * Starts `spec.command` in a fresh sandbox. Throws synchronously on an invalid spec (relative or missing
   * paths, bad env names); spawn failures arrive as the child's `error`/`exit` events with bwrap's stderr.
   */
  spawn(spec: SandboxSpec): ChildProcess;
  /**
   * Why a child this sandbox spawned was killed, when the sandbox knows better than the exit status, e.g.
   * `killed: out of memory (limit 256 MiB)`; null otherwise. Valid from the child's `exit` event on.
   */
  exitReason(child: ChildProcess): string | null;
  /**
   * Waits for the cleanup of children that have exited (their cgroups) and removes what the sandbox made on the
   * host. Call it after every child has exited (the gateway's `close()` does); the sandbox is not used again.
   */
  close(): Promise<void>;
}

/** Options of `createSandbox`. Everything is optional; the defaults suit a root gateway on Debian. */
export interface CreateSandboxOptions {
  prefer?: SandboxPreference;
  /** Uid the tenant code runs as when the gateway is root (default 65534, nobody). Never 0. */
  uid?: number;
  /** Gid the tenant code runs as when the gateway is root (default 65534, nogroup). Never 0. */
  gid?: number;
  /** Colon-separated directories searched for `bwrap` (pass the gateway's PATH); default: the system dirs. */
  searchPath?: string;
  /** Size limit of the sandbox's private `/tmp` (default 64 MiB). */
  tmpSizeBytes?: number;
  /** Bound on the start-up probe (default 5000 ms). */
  probeTimeoutMs?: number;
  /** Called with warnings that arise after creation (e.g. plain mode cannot drop privileges for one spawn). */
  onWarning?: (message: string) => void;
  /** Apply the seccomp syscall deny-list under bwrap (default true; needs Debian's python3-seccomp). */
  seccomp?: boolean;
  /** Enforce `SandboxSpec.limits` with cgroups when the host offers them (default true). */
  cgroups?: boolean;
  /** Timing of the RSS/CPU watchdog, active where cgroups do not enforce the memory or CPU limit. */
  watchdog?: WatchdogOptions;
}

/** Timing of the watchdog (`watchdog.ts`); `createSandbox` takes it from `--worker-watchdog-interval` and `--worker-cpu-window`. */
export interface WatchdogOptions {
  /** How often every watched process tree is sampled (default 1000 ms). */
  readonly intervalMs?: number;
  /**
   * The CPU limit holds for the average over this window (default 10 000 ms): short bursts above it (a callback
   * that recomputes a big plot) are fine, a sustained excess is not. The first window after a spawn is not
   * judged: it is the worker's start-up (Node, tsx compiling the app), which may use a whole core or more.
   */
  readonly cpuWindowMs?: number;
}
