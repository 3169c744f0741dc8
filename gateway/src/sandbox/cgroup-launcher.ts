import type { ChildProcess } from "node:child_process";
import type { CgroupLimiter, WorkerCgroup } from "./cgroup-limiter.ts";
import type { ResourceLimits, SandboxSpec } from "./types.ts";

/** The command line to spawn instead of the sandbox's own launcher, and what to do once it runs. */
export interface CgroupLaunch {
  readonly command: string;
  readonly args: readonly string[];
  /** Call with the spawned process: records why it died and removes its cgroup when it exits. */
  watch(child: ChildProcess): void;
}

/**
 * Joins the cgroup from the host, before the launcher starts: a shell writes its own pid to every `cgroup.procs`,
 * then execs the launcher (bwrap, or the command itself under the plain sandbox), so everything the tenant ever
 * runs is born inside the limits. Failing to join exits 125 instead of running unlimited.
 */
const JOIN =
  'while [ "$1" != -- ]; do echo $$ > "$1" || { echo "plothost: could not join cgroup $1" >&2; exit 125; }; shift; done; shift; exec "$@"';
const FAIL = 'echo "$1" >&2; exit 125';

/**
 * Puts each limited spawn in a fresh cgroup and cleans up after it. Shared by both sandboxes; the cgroup fs is
 * never visible inside the sandbox, and its own files are written by the gateway only.
 */
export class CgroupLauncher {
  private readonly reasons = new WeakMap<ChildProcess, string>();

  /** `bash`: an absolute path of a shell on the host (the sandbox found it at start). */
  constructor(private readonly limiter: CgroupLimiter | null, private readonly bash: string) {}

  /** `cgroup-v1:memory,pids,cpu`, or null when limits are not enforced. */
  get layer(): string | null {
    return this.limiter ? `cgroup-v${this.limiter.version}:${this.limiter.controllers.join(",")}` : null;
  }

  /** How to start `command args` for `spec`: in a fresh cgroup when the spec has limits and the host has cgroups. */
  launch(spec: SandboxSpec, command: string, args: readonly string[]): CgroupLaunch {
    const limits = spec.limits;
    if (!limits || !this.limiter) return { command, args, watch: () => {} };
    let cgroup: WorkerCgroup;
    try {
      cgroup = this.limiter.create(spec.name ?? "worker", limits);
    } catch (err) {
      // Fail closed, the way every spawn failure surfaces: the child exits (125) with the reason on stderr.
      const message = `plothost: could not create the worker's cgroup: ${(err as Error).message}`;
      return { command: this.bash, args: ["-c", FAIL, "plothost-cgroup", message], watch: () => {} };
    }
    return {
      command: this.bash,
      args: ["-c", JOIN, "plothost-join", ...cgroup.procsFiles, "--", command, ...args],
      watch: (child) => this.watch(child, cgroup, limits),
    };
  }

  /** See `Sandbox.close`. */
  close(): Promise<void> {
    return this.limiter?.close() ?? Promise.resolve();
  }

  /** See `Sandbox.exitReason`. */
  exitReason(child: ChildProcess): string | null {
    return this.reasons.get(child) ?? null;
  }

  private watch(child: ChildProcess, cgroup: WorkerCgroup, limits: ResourceLimits): void {
    let done = false;
    const finish = (killed: boolean) => {
      if (done) return;
      done = true;
      if (killed && cgroup.oomKills() > 0) this.reasons.set(child, `killed: out of memory (limit ${limits.memoryMiB} MiB)`);
      void cgroup.remove();
    };
    // Registered before the caller's listeners, so the reason is known when they run. bwrap reports a command
    // killed by a signal as 128 + the signal number.
    child.once("exit", (code, signal) => finish(code === 137 || signal === "SIGKILL"));
    child.once("error", () => finish(false));
  }
}
