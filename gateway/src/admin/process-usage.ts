import fs from "node:fs";

/** Memory and CPU time of a process and its descendants, read from /proc (Linux). */
export interface ProcessUsage {
  /** Resident set size summed over the tree, in bytes. */
  readonly rssBytes: number;
  /** User + system CPU time summed over the tree, in seconds. */
  readonly cpuSeconds: number;
  /** How many processes the tree has (the sandbox launcher, its init and the worker count). */
  readonly processes: number;
}

/** Kernel clock ticks per second: 100 on every Linux platform Node runs on. */
const CLOCK_TICKS = 100;
const PAGE_BYTES = 4096;

/**
 * Usage of the process tree rooted at `pid` (a worker's sandbox: bwrap, its init and the worker), or null when
 * the process is gone or /proc is unavailable. Children are found through /proc/PID/task/PID/children.
 */
export function processTreeUsage(pid: number): ProcessUsage | null {
  const root = readStat(pid);
  if (!root) return null;
  let rssBytes = 0;
  let cpuSeconds = 0;
  let processes = 0;
  const queue = [pid];
  const seen = new Set<number>();
  while (queue.length > 0 && seen.size < 256) {
    const p = queue.shift()!;
    if (seen.has(p)) continue;
    seen.add(p);
    const stat = p === pid ? root : readStat(p);
    if (!stat) continue;
    processes++;
    rssBytes += stat.rssPages * PAGE_BYTES;
    cpuSeconds += stat.cpuTicks / CLOCK_TICKS;
    queue.push(...childrenOf(p));
  }
  return { rssBytes, cpuSeconds, processes };
}

function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** utime (field 14), stime (15) and rss (24) of /proc/PID/stat; the command name may hold spaces and ')'. */
function readStat(pid: number): { cpuTicks: number; rssPages: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[0] is field 3 (state).
    return { cpuTicks: Number(fields[11]) + Number(fields[12]), rssPages: Number(fields[21]) };
  } catch {
    return null;
  }
}
