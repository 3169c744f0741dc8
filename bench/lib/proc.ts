import fs from "node:fs";
import { treeOf } from "../../gateway/src/sandbox/process-tree.ts";

/**
 * Reading a worker's memory from /proc. Under bubblewrap the supervisor's pid is bwrap's; the worker's node
 * process is a descendant (bwrap → bwrap (pid-namespace init) → node, which itself has an esbuild child for tsx).
 */

function commOf(pid: number): string | null {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return null;
  }
}

/** The first process named `node` at or below `pid` (breadth first), or null. */
export function nodeProcessUnder(pid: number): number | null {
  return treeOf(pid).find((p) => commOf(p) === "node") ?? null;
}

/** Resident set size in bytes (VmRSS of /proc/<pid>/status). */
export function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/** The worker's node pid for a supervisor pid (bwrap or plain); throws when there is none. */
export function workerNodePid(supervisorPid: number): number {
  const pid = nodeProcessUnder(supervisorPid);
  if (pid === null) throw new Error(`no node process under pid ${supervisorPid}`);
  return pid;
}

/** CPU time (user + system) a process has used so far, in milliseconds (from /proc/<pid>/stat; 10 ms resolution). */
export function cpuMsOf(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}

/** USER_HZ; 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100;
