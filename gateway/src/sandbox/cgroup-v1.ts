import fs from "node:fs";
import path from "node:path";
import {
  killListed, mib, parentName, readKeyed, Removals, removeDirs, sweepStale, tryRmdir, writeValue,
  type CgroupController, type CgroupLimiter, type WorkerCgroup,
} from "./cgroup-limiter.ts";
import type { ResourceLimits } from "./types.ts";

/** Where the v1 limiter creates cgroups: per controller, the gateway's own cgroup in that hierarchy. */
export interface CgroupV1Options {
  /** E.g. `{memory: "/sys/fs/cgroup/memory/system.slice/plothost.service", pids: ..., cpu: ...}`. */
  readonly bases: Readonly<Partial<Record<CgroupController, string>>>;
  readonly warnings?: readonly string[];
}

const CFS_PERIOD_US = 100_000;

/**
 * cgroup v1: one directory per controller, `<base>/plothost-<pid>-<rand>/<name>-<n>`, nested under the gateway's
 * own cgroup so that whatever limits the gateway's launcher set still bound the workers. Writes
 * `memory.limit_in_bytes` and, when the kernel accounts swap, `memory.memsw.limit_in_bytes` (else a worker could
 * push its excess to swap), `pids.max`, and `cpu.cfs_quota_us` over a 100 ms `cpu.cfs_period_us`.
 */
export function createCgroupV1(opts: CgroupV1Options): CgroupLimiter {
  const controllers = (["memory", "pids", "cpu"] as const).filter((c) => opts.bases[c] !== undefined);
  const parent = parentName();
  const removals = new Removals();
  let counter = 0;

  const parentDir = (c: CgroupController): string => path.join(opts.bases[c]!, parent);
  const removeParents = () => {
    for (const c of controllers) tryRmdir(parentDir(c));
  };
  for (const c of controllers) sweepStale(opts.bases[c]!);

  return {
    version: 1,
    controllers,
    warnings: Object.freeze([...(opts.warnings ?? [])]),
    create(name: string, limits: ResourceLimits): WorkerCgroup {
      const id = `${name.replace(/[^A-Za-z0-9_-]/g, "_")}-${++counter}`;
      const dirs: Partial<Record<CgroupController, string>> = {};
      try {
        for (const c of controllers) {
          fs.mkdirSync(parentDir(c), { recursive: true });
          const dir = path.join(parentDir(c), id);
          fs.mkdirSync(dir);
          dirs[c] = dir;
          writeLimit(c, dir, limits);
        }
      } catch (err) {
        for (const dir of Object.values(dirs)) tryRmdir(dir);
        if (removals.liveCount === 0) removeParents();
        throw err;
      }
      removals.added();
      const all = Object.values(dirs);
      let removal: Promise<boolean> | null = null;
      return {
        dirs: all,
        procsFiles: all.map((d) => path.join(d, "cgroup.procs")),
        oomKills: () => (dirs.memory ? readKeyed(path.join(dirs.memory, "memory.oom_control")).oom_kill ?? 0 : 0),
        remove: () => {
          removal ??= removals.track(() => removeDirs(all, () => all.forEach((d) => killListed(path.join(d, "cgroup.procs")))), removeParents);
          return removal;
        },
      };
    },
    close: async () => {
      await removals.settle();
      if (removals.liveCount === 0) removeParents();
    },
  };
}

function writeLimit(c: CgroupController, dir: string, limits: ResourceLimits): void {
  if (c === "memory") {
    // The plain limit first: the kernel refuses a memsw limit below the memory limit.
    writeValue(dir, "memory.limit_in_bytes", mib(limits.memoryMiB));
    if (fs.existsSync(path.join(dir, "memory.memsw.limit_in_bytes"))) {
      writeValue(dir, "memory.memsw.limit_in_bytes", mib(limits.memoryMiB));
    }
  } else if (c === "pids") {
    writeValue(dir, "pids.max", limits.pids);
  } else {
    writeValue(dir, "cpu.cfs_period_us", CFS_PERIOD_US);
    writeValue(dir, "cpu.cfs_quota_us", Math.max(1000, Math.round((limits.cpuPercent / 100) * CFS_PERIOD_US)));
  }
}
