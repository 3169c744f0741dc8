import fs from "node:fs";

/**
 * A process and its descendants as /proc (Linux) shows them: the watchdog samples and kills worker trees with
 * this, and the admin console shows their memory and CPU. Children are found through every thread's
 * /proc/PID/task/TID/children.
 */

/** Kernel clock ticks per second in /proc/PID/stat: 100 on every Linux platform Node runs on. */
const CLOCK_TICKS = 100;
/** A tree larger than this is cut (a fork bomb must not make one sample walk forever). */
const MAX_TREE = 4096;

export interface ProcessUsage {
  /** Resident memory summed over the tree, in bytes. */
  readonly rssBytes: number;
  /** utime + stime of each process, plus cutime + cstime (its children that exited and were waited for). */
  readonly cpuSeconds: number;
  /** How many processes the tree has (e.g. bwrap, its init and the worker). */
  readonly processes: number;
}

/** Usage of the tree rooted at `root`, or null when the root is gone. */
export function processTreeUsage(root: number): ProcessUsage | null {
  let rssBytes = 0;
  let cpuTicks = 0;
  let found = false;
  let processes = 0;
  for (const pid of treeOf(root)) {
    const ticks = cpuTicksOf(pid);
    if (ticks === null) continue;
    found ||= pid === root;
    processes++;
    cpuTicks += ticks;
    rssBytes += rssOf(pid);
  }
  return found ? { rssBytes, cpuSeconds: cpuTicks / CLOCK_TICKS, processes } : null;
}

/** `root` and its descendants, breadth first (children of every thread, not only the main one). */
export function treeOf(root: number): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  const queue = [root];
  while (queue.length > 0 && out.length < MAX_TREE) {
    const pid = queue.shift()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    out.push(pid);
    queue.push(...childrenOf(pid));
  }
  return out;
}

/** Children of every thread of `pid`; on kernels without CONFIG_PROC_CHILDREN, found by scanning every parent. */
function childrenOf(pid: number): number[] {
  let tasks: string[];
  try {
    tasks = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  let readable = false;
  for (const tid of tasks) {
    try {
      const text = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim();
      readable = true;
      if (text) children.push(...text.split(/\s+/).map(Number));
    } catch {
      // the thread ended meanwhile
    }
  }
  if (readable || !fs.existsSync(`/proc/${pid}`)) return children;
  return fs.readdirSync("/proc").filter((n) => /^\d+$/.test(n)).map(Number).filter((p) => statOf(p)?.ppid === pid);
}

/**
 * The oldest living child of `pid` (by start time), or null. Used to find the sandboxed command under bwrap's
 * init process: orphans the tenant leaves behind are re-parented to that init too, but always start later.
 */
export function oldestChildOf(pid: number): number | null {
  let best: { pid: number; start: number } | null = null;
  for (const child of childrenOf(pid)) {
    const start = statOf(child)?.start;
    if (start === undefined) continue;
    if (!best || start < best.start) best = { pid: child, start };
  }
  return best?.pid ?? null;
}

/** ppid (field 4) and starttime (field 22) of /proc/PID/stat; the command name may contain spaces and ')'. */
function statOf(pid: number): { ppid: number; start: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(fields[1]), start: Number(fields[19]) };
  } catch {
    return null;
  }
}

/** utime + stime + cutime + cstime (fields 14-17 of /proc/PID/stat); the command name may hold spaces and ')'. */
function cpuTicksOf(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields[0] is field 3 (state)
    return Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  } catch {
    return null;
  }
}

/** VmRSS of /proc/PID/status in bytes (0 for a zombie, or a process gone meanwhile). */
function rssOf(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
