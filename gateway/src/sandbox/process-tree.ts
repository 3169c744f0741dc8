import fs from "node:fs";

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

function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    // Kernels without CONFIG_PROC_CHILDREN: scan every process's parent.
    return fs.readdirSync("/proc").filter((n) => /^\d+$/.test(n)).map(Number).filter((p) => statOf(p)?.ppid === pid);
  }
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
