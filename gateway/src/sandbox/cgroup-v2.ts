import fs from "node:fs";
import path from "node:path";
import {
  killListed, mib, parentName, readKeyed, Removals, removeDirs, sweepStale, tryRmdir, writeValue,
  type CgroupController, type CgroupLimiter, type WorkerCgroup,
} from "./cgroup-limiter.ts";
import type { ResourceLimits } from "./types.ts";

/** Where the v2 limiter creates cgroups. */
export interface CgroupV2Options {
  /**
   * A cgroup whose children may use `controllers`: the parent of the gateway's own cgroup (v2 forbids enabling
   * controllers below a cgroup that holds processes, and the gateway's own cgroup holds the gateway), or the
   * root when the gateway sits there. Workers go to `<base>/plothost-<pid>-<rand>/<name>-<n>`.
   */
  readonly base: string;
  readonly controllers: readonly CgroupController[];
  readonly warnings?: readonly string[];
}

const CPU_PERIOD_US = 100_000;

/**
 * cgroup v2: one directory per process tree. Writes `memory.max` with `memory.swap.max` 0 (the limit is the
 * whole memory, as memsw is under v1), `pids.max`, and `cpu.max` as `<quota> 100000`. The intermediate
 * `plothost-*` directory enables the controllers for its children in `cgroup.subtree_control`.
 */
export function createCgroupV2(opts: CgroupV2Options): CgroupLimiter {
  const { controllers } = opts;
  const parent = path.join(opts.base, parentName());
  const removals = new Removals();
  let counter = 0;
  sweepStale(opts.base);

  const ensureParent = () => {
    if (fs.existsSync(parent)) return;
    fs.mkdirSync(parent);
    writeValue(parent, "cgroup.subtree_control", controllers.map((c) => `+${c}`).join(" "));
  };

  return {
    version: 2,
    controllers,
    warnings: Object.freeze([...(opts.warnings ?? [])]),
    create(name: string, limits: ResourceLimits): WorkerCgroup {
      const dir = path.join(parent, `${name.replace(/[^A-Za-z0-9_-]/g, "_")}-${++counter}`);
      try {
        ensureParent();
        fs.mkdirSync(dir);
        if (controllers.includes("memory")) {
          writeValue(dir, "memory.max", mib(limits.memoryMiB));
          if (fs.existsSync(path.join(dir, "memory.swap.max"))) writeValue(dir, "memory.swap.max", 0);
        }
        if (controllers.includes("pids")) writeValue(dir, "pids.max", limits.pids);
        if (controllers.includes("cpu")) {
          writeValue(dir, "cpu.max", `${Math.max(1000, Math.round((limits.cpuPercent / 100) * CPU_PERIOD_US))} ${CPU_PERIOD_US}`);
        }
      } catch (err) {
        tryRmdir(dir);
        if (removals.liveCount === 0) tryRmdir(parent);
        throw err;
      }
      removals.added();
      let removal: Promise<boolean> | null = null;
      const kill = () => {
        // cgroup.kill (Linux 5.14) also catches tasks forking while we read the list.
        if (fs.existsSync(path.join(dir, "cgroup.kill"))) {
          try {
            writeValue(dir, "cgroup.kill", 1);
            return;
          } catch {
            // fall back to the list
          }
        }
        killListed(path.join(dir, "cgroup.procs"));
      };
      return {
        dirs: [dir],
        procsFiles: [path.join(dir, "cgroup.procs")],
        oomKills: () => readKeyed(path.join(dir, "memory.events")).oom_kill ?? 0,
        remove: () => {
          removal ??= removals.track(() => removeDirs([dir], kill), () => tryRmdir(parent));
          return removal;
        },
      };
    },
    close: async () => {
      await removals.settle();
      if (removals.liveCount === 0) tryRmdir(parent);
    },
  };
}
