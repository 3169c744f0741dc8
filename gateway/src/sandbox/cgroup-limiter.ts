import fs from "node:fs";
import path from "node:path";
import type { ResourceLimits } from "./types.ts";

/** The cgroup controllers plothost limits workers with. */
export type CgroupController = "memory" | "pids" | "cpu";

/**
 * Creates one cgroup per sandboxed process tree, with its limits written before anything joins it. One
 * implementation per cgroup version (`cgroup-v1.ts`, `cgroup-v2.ts`); `detectCgroups` picks the one the host
 * has. The tree joins by writing its first process's pid to every file in `procsFiles` before that process execs
 * the launcher, so nothing of the tenant ever runs outside the limits.
 *
 * Deliberately left out: I/O limits (blkio / io.max need a block device number and workers barely write) and
 * cpusets (the CPU quota already bounds the share of the machine).
 */
export interface CgroupLimiter {
  readonly version: 1 | 2;
  /** The controllers this host lets plothost use; limits of the others are not enforced (see `warnings`). */
  readonly controllers: readonly CgroupController[];
  /** What the host lacks (a controller that is not mounted or not delegated), and what to do about it. */
  readonly warnings: readonly string[];
  /** A fresh cgroup for one process tree, limits written. Throws when the cgroup fs refuses. */
  create(name: string, limits: ResourceLimits): WorkerCgroup;
  /** Waits for the removals in flight and removes the limiter's parent directory (when no cgroup is left). */
  close(): Promise<void>;
}

/** One process tree's cgroup (one directory per controller under v1, one directory under v2). */
export interface WorkerCgroup {
  /** The directories, for diagnostics and tests. */
  readonly dirs: readonly string[];
  /** Write the joining process's pid to each of these. */
  readonly procsFiles: readonly string[];
  /** How many times the kernel's OOM killer killed a task in this cgroup. */
  oomKills(): number;
  /** Kills whatever is still in the cgroup and removes it; resolves with whether every directory is gone. */
  remove(): Promise<boolean>;
}

/** The parent directory of every worker cgroup of one limiter: `plothost-<gateway pid>-<random>`. */
export function parentName(): string {
  return `plothost-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Removes what gateways that died without cleaning up (kill -9, power loss) left under `base`: `plothost-<pid>-*`
 * directories of pids that no longer run, with their empty worker cgroups. Busy ones are left alone.
 */
export function sweepStale(base: string): void {
  let names: string[] = [];
  try {
    names = fs.readdirSync(base);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = /^plothost-(\d+)-[a-z0-9]+$/.exec(name)?.[1];
    if (!pid || isRunning(Number(pid))) continue;
    const dir = path.join(base, name);
    try {
      for (const child of fs.readdirSync(dir, { withFileTypes: true })) if (child.isDirectory()) tryRmdir(path.join(dir, child.name));
    } catch {
      continue;
    }
    tryRmdir(dir);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Counts the cgroups of one limiter and the removals in flight, so `close()` can wait for them. */
export class Removals {
  private live = 0;
  private readonly pending = new Set<Promise<boolean>>();

  /** Call when a cgroup was created. */
  added(): void {
    this.live++;
  }

  /** Runs `remove` once per cgroup; `whenEmpty` runs after the last live cgroup went. */
  track(remove: () => Promise<boolean>, whenEmpty: () => void): Promise<boolean> {
    const p = remove().then((gone) => {
      this.pending.delete(p);
      if (--this.live === 0) whenEmpty();
      return gone;
    });
    this.pending.add(p);
    return p;
  }

  get liveCount(): number {
    return this.live;
  }

  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}

/** Bytes for `memoryMiB`. */
export const mib = (n: number): number => Math.round(n * 1024 * 1024);

/** Writes a cgroup interface file (no newline games: the kernel parses the value itself). */
export function writeValue(dir: string, file: string, value: string | number): void {
  fs.writeFileSync(path.join(dir, file), String(value));
}

/** `key value` lines of a cgroup stat file (memory.events, memory.oom_control) as numbers; {} when unreadable. */
export function readKeyed(file: string): Record<string, number> {
  try {
    const out: Record<string, number> = {};
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
      const [key, value] = line.trim().split(/\s+/);
      if (key && value !== undefined) out[key] = Number(value);
    }
    return out;
  } catch {
    return {};
  }
}

/** SIGKILLs every process listed in `procsFile` (descendants that outlived the launcher, in the plain sandbox). */
export function killListed(procsFile: string): number {
  let killed = 0;
  let text = "";
  try {
    text = fs.readFileSync(procsFile, "utf8");
  } catch {
    return 0;
  }
  for (const pid of text.split("\n").filter(Boolean).map(Number)) {
    try {
      process.kill(pid, "SIGKILL");
      killed++;
    } catch {
      // already gone
    }
  }
  return killed;
}

/**
 * Removes cgroup directories, killing what is left in them first. A killed task leaves its cgroup a moment after
 * the signal, and the kernel offers no event for that, so rmdir is retried every 10 ms for at most `timeoutMs`.
 */
export async function removeDirs(dirs: readonly string[], kill: () => void, timeoutMs = 2000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let remaining = [...dirs];
  for (;;) {
    remaining = remaining.filter((dir) => !tryRmdir(dir));
    if (remaining.length === 0) return true;
    if (Date.now() > deadline) return false;
    kill();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Removes `dir`, also when it holds no cgroup any more; true when it is gone. */
export function tryRmdir(dir: string): boolean {
  try {
    fs.rmdirSync(dir);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ENOENT";
  }
}
