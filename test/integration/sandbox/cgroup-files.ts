// Finds a process's cgroup directories on the host (v1: one per controller; v2: the unified one), so the tests
// can read what the sandbox wrote there and what the kernel counted.
import fs from "node:fs";
import path from "node:path";

export type Controller = "memory" | "pids" | "cpu";

/** The cgroup dir of `pid` for `controller`, or null when the process is gone or the controller is not mounted. */
export function cgroupDirOf(pid: number, controller: Controller): string | null {
  let own: string;
  try {
    own = fs.readFileSync(`/proc/${pid}/cgroup`, "utf8");
  } catch {
    return null;
  }
  const mounts = fs.readFileSync("/proc/self/mountinfo", "utf8").split("\n").map((line) => {
    const [left, right = ""] = line.split(" - ");
    const fields = left.split(" ");
    const [fstype, , options = ""] = right.split(" ");
    return { root: fields[3], mountpoint: fields[4], fstype, options: options.split(",") };
  });
  for (const line of own.split("\n")) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!match) continue;
    const [, controllers, cgroupPath] = match;
    const mount = controllers === ""
      ? mounts.find((m) => m.fstype === "cgroup2")
      : controllers.split(",").includes(controller) ? mounts.find((m) => m.fstype === "cgroup" && m.options.includes(controller)) : undefined;
    if (!mount) continue;
    const dir = path.join(mount.mountpoint, cgroupPath);
    // Under v2 the unified dir only counts when it offers the controller.
    if (controllers === "" && !readOr(path.join(dir, "cgroup.controllers"), "").split(/\s+/).includes(controller)) continue;
    return dir;
  }
  return null;
}

/** A file's trimmed text, or `fallback` when it cannot be read. */
export function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    return fallback;
  }
}

/** `key value` lines of a stat file as numbers. */
export function keyed(file: string): Record<string, number> {
  return Object.fromEntries(readOr(file, "").split("\n").filter(Boolean).map((l) => l.split(/\s+/)).map(([k, v]) => [k, Number(v)]));
}

/** The limits as the kernel holds them, whichever version the host runs: MiB, max tasks, percent of a core. */
export function limitsIn(pid: number): { memoryMiB: number | null; memswMiB: number | null; pids: number | null; cpuPercent: number | null } {
  const mem = cgroupDirOf(pid, "memory");
  const pids = cgroupDirOf(pid, "pids");
  const cpu = cgroupDirOf(pid, "cpu");
  const mib = (raw: string) => (raw === "" || raw === "max" ? null : Number(raw) / 2 ** 20);
  const v2 = mem !== null && fs.existsSync(path.join(mem, "memory.max"));
  let cpuPercent: number | null = null;
  if (cpu && fs.existsSync(path.join(cpu, "cpu.max"))) {
    const [quota, period] = readOr(path.join(cpu, "cpu.max"), "max").split(" ");
    cpuPercent = quota === "max" ? null : (Number(quota) / Number(period)) * 100;
  } else if (cpu) {
    cpuPercent = (Number(readOr(path.join(cpu, "cpu.cfs_quota_us"), "-1")) / Number(readOr(path.join(cpu, "cpu.cfs_period_us"), "1"))) * 100;
  }
  return {
    memoryMiB: mem ? mib(readOr(path.join(mem, v2 ? "memory.max" : "memory.limit_in_bytes"), "")) : null,
    memswMiB: mem && !v2 ? mib(readOr(path.join(mem, "memory.memsw.limit_in_bytes"), "")) : null,
    pids: pids ? Number(readOr(path.join(pids, "pids.max"), "NaN")) : null,
    cpuPercent,
  };
}

/** CPU time (user + system, ms) used so far by the processes now in the cgroup `dir` (USER_HZ is 100 on Linux). */
export function cpuMsIn(dir: string): number {
  let ticks = 0;
  for (const pid of readOr(path.join(dir, "cgroup.procs"), "").split("\n").filter(Boolean)) {
    const stat = readOr(`/proc/${pid}/stat`, "");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  return ticks * 10;
}
