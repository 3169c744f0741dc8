import fs from "node:fs";
import path from "node:path";
import { tryRmdir, type CgroupController, type CgroupLimiter } from "./cgroup-limiter.ts";
import { createCgroupV1 } from "./cgroup-v1.ts";
import { createCgroupV2 } from "./cgroup-v2.ts";

const WANTED: readonly CgroupController[] = ["memory", "pids", "cpu"];
const WHAT: Record<CgroupController, string> = { memory: "memory", pids: "task (pids)", cpu: "CPU" };

/** The two files that say where the gateway's cgroups are; injectable so tests can describe a fake host. */
export interface CgroupHostView {
  /** Text of /proc/self/cgroup. */
  readonly cgroup: string;
  /** Text of /proc/self/mountinfo. */
  readonly mountinfo: string;
}

interface Mount {
  readonly root: string;
  readonly mountpoint: string;
  readonly fstype: string;
  readonly superOptions: readonly string[];
}

/**
 * Picks the cgroup version the host offers plothost's controllers on: v2 when its unified tree has memory, pids
 * and cpu for us, else v1 (a hybrid host keeps them there), else v2 with what it has. Each controller is tried
 * by creating and removing a directory, so a read-only or undelegated tree shows up here, once, as a warning
 * instead of failing every spawn. Resolves with the limiter, or why there is none and what to do.
 */
export function detectCgroups(view: CgroupHostView = readHostView()): { limiter: CgroupLimiter } | { reason: string } {
  const mounts = parseMountinfo(view.mountinfo);
  const own = parseOwnCgroups(view.cgroup);
  const v2 = v2Candidate(mounts, own);
  const v1 = v1Candidate(mounts, own);
  const missing = (have: readonly CgroupController[]) =>
    WANTED.filter((c) => !have.includes(c)).map((c) => `cgroup controller '${c}' is not available to plothost: the ${WHAT[c]} limit of workers is NOT enforced`);
  if (v2 && WANTED.every((c) => v2.controllers.includes(c))) {
    return { limiter: createCgroupV2({ base: v2.base, controllers: v2.controllers }) };
  }
  if (v1 && Object.keys(v1.bases).length > 0) {
    const controllers = Object.keys(v1.bases) as CgroupController[];
    return { limiter: createCgroupV1({ bases: v1.bases, warnings: [...v1.problems, ...missing(controllers)] }) };
  }
  if (v2 && v2.controllers.length > 0) {
    return { limiter: createCgroupV2({ base: v2.base, controllers: v2.controllers, warnings: [...v2.problems, ...missing(v2.controllers)] }) };
  }
  const problems = [...(v2?.problems ?? []), ...(v1?.problems ?? [])];
  return {
    reason: "no cgroup controller (memory, pids, cpu) can be used by plothost" +
      (problems.length > 0 ? ` (${problems.join("; ")})` : " (no cgroup file system mounted)") +
      ": run the gateway as root on a host with cgroups, or in a cgroup delegated to it",
  };
}

function readHostView(): CgroupHostView {
  const read = (p: string) => {
    try {
      return fs.readFileSync(p, "utf8");
    } catch {
      return "";
    }
  };
  return { cgroup: read("/proc/self/cgroup"), mountinfo: read("/proc/self/mountinfo") };
}

function v1Candidate(mounts: readonly Mount[], own: ReadonlyMap<string, string>) {
  const bases: Partial<Record<CgroupController, string>> = {};
  const problems: string[] = [];
  for (const c of WANTED) {
    const mount = mounts.find((m) => m.fstype === "cgroup" && m.superOptions.includes(c));
    const ownPath = [...own].find(([controllers]) => controllers.split(",").includes(c))?.[1];
    if (!mount || ownPath === undefined) continue;
    const base = path.join(mount.mountpoint, relativeTo(mount.root, ownPath));
    const problem = probe(base, null);
    if (problem) problems.push(`v1 ${c}: ${problem}`);
    else bases[c] = base;
  }
  return { bases, problems };
}

function v2Candidate(mounts: readonly Mount[], own: ReadonlyMap<string, string>) {
  const mount = mounts.find((m) => m.fstype === "cgroup2");
  const ownPath = own.get("");
  if (!mount || ownPath === undefined) return null;
  const ownDir = path.join(mount.mountpoint, relativeTo(mount.root, ownPath));
  const isRoot = path.resolve(ownDir) === path.resolve(mount.mountpoint);
  const base = isRoot ? ownDir : path.dirname(ownDir);
  const delegated = readWords(path.join(base, "cgroup.subtree_control"));
  const offered = isRoot ? readWords(path.join(base, "cgroup.controllers")) : delegated;
  let controllers = WANTED.filter((c) => offered.includes(c));
  const problems: string[] = [];
  if (isRoot && controllers.some((c) => !delegated.includes(c))) {
    // The root cgroup may hold processes and still hand controllers down.
    try {
      fs.writeFileSync(path.join(base, "cgroup.subtree_control"), controllers.map((c) => `+${c}`).join(" "));
    } catch (err) {
      problems.push(`v2: cannot enable ${controllers.join(",")} in ${base}: ${(err as NodeJS.ErrnoException).code ?? err}`);
      controllers = controllers.filter((c) => delegated.includes(c));
    }
  }
  if (controllers.length === 0) return { base, controllers, problems };
  const problem = probe(base, controllers);
  if (problem) return { base, controllers: [] as CgroupController[], problems: [...problems, `v2: ${problem}`] };
  return { base, controllers, problems };
}

/** Creates and removes a directory under `base` (and, for v2, enables `controllers` in it); null when that works. */
function probe(base: string, controllers: readonly CgroupController[] | null): string | null {
  const dir = path.join(base, `plothost-probe-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  try {
    fs.mkdirSync(dir);
  } catch (err) {
    return `cannot create cgroups under ${base} (${(err as NodeJS.ErrnoException).code ?? err})`;
  }
  try {
    if (controllers) fs.writeFileSync(path.join(dir, "cgroup.subtree_control"), controllers.map((c) => `+${c}`).join(" "));
    return null;
  } catch (err) {
    return `cannot enable ${controllers?.join(",")} below ${base} (${(err as NodeJS.ErrnoException).code ?? err})`;
  } finally {
    // A real cgroup directory goes with rmdir although it lists interface files; a plain directory (a test's
    // stand-in for the cgroup fs) needs its files removed.
    if (!tryRmdir(dir)) fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** hierarchy controllers ("" for v2) → the gateway's cgroup path in that hierarchy. */
function parseOwnCgroups(text: string): Map<string, string> {
  const own = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line);
    if (match) own.set(match[1], match[2]);
  }
  return own;
}

function parseMountinfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split("\n")) {
    const [left, right] = line.split(" - ");
    if (!left || !right) continue;
    const fields = left.split(" ");
    const [fstype, , superOptions = ""] = right.split(" ");
    mounts.push({ root: unescape(fields[3]), mountpoint: unescape(fields[4]), fstype, superOptions: superOptions.split(",") });
  }
  return mounts;
}

/** mountinfo writes space, tab, newline and backslash as octal escapes. */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** The cgroup path relative to the mount's root (in a cgroup namespace the paths are already relative). */
function relativeTo(mountRoot: string, cgroupPath: string): string {
  if (mountRoot !== "/" && (cgroupPath === mountRoot || cgroupPath.startsWith(`${mountRoot}/`))) {
    return cgroupPath.slice(mountRoot.length) || "/";
  }
  return cgroupPath;
}

function readWords(file: string): string[] {
  try {
    return fs.readFileSync(file, "utf8").trim().split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}
