import path from "node:path";
import { isWithin, type HostLayout } from "./host-layout.ts";
import type { SandboxSpec } from "./types.ts";

/**
 * How the gateway drops privileges when it runs as root. bwrap then runs without a user namespace (so it can
 * open bind sources under 0700 dirs such as /root) and `setpriv` switches to the unprivileged uid *inside* the
 * sandbox. The tenant's environment is set by `env -i` after that switch, so nothing in `spec.env`
 * (LD_PRELOAD, GCONV_PATH, ...) ever reaches a process that still has privileges.
 */
export interface PrivilegeDrop {
  readonly setpriv: string;
  readonly uid: number;
  readonly gid: number;
}

/** Everything `buildBwrapArgs` needs besides the spec; computed once per sandbox. */
export interface BwrapPlan {
  /** Set when the gateway is root; null runs an unprivileged bwrap in a user namespace as the gateway's uid. */
  readonly drop: PrivilegeDrop | null;
  /** `env`, run last inside the sandbox as `env -i NAME=VALUE... command` (bwrap itself would add PWD). */
  readonly envTool: string;
  /** `bash`, run first inside the sandbox to close every fd above 2 (see `CLOSE_FDS`). */
  readonly bash: string;
  readonly layout: HostLayout;
  readonly tmpSizeBytes: number;
  /** The fd (in the bwrap process) on which bwrap writes `{"child-pid": N}`. */
  readonly infoFd: number;
  /** The fd bwrap reads the seccomp BPF from (`--seccomp FD`), or null to run without a filter. */
  readonly seccompFd: number | null;
}

/**
 * What the in-sandbox steps before `setpriv` keep of root when the gateway is root: exactly what `setpriv` needs
 * to switch uid/gid, clear the groups (CAP_SETUID, CAP_SETGID) and empty the bounding set (CAP_SETPCAP). bwrap
 * run by root would otherwise leave the whole set to those steps. `--cap-drop ALL` alone cannot be used: nothing
 * could then leave uid 0 (`--uid` needs a user namespace, which this mode avoids on purpose).
 */
const ROOT_STEP_CAPS = ["CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP"];

/**
 * bwrap passes every fd it inherits on to the command, and the gateway inherits whatever its launcher left
 * open (a supervisor's pipe, a socket). This first stage closes all fds above 2 before anything else runs.
 */
const CLOSE_FDS =
  'for fd in /proc/self/fd/*; do fd=${fd##*/}; if ((fd > 2)) && [[ -e /proc/self/fd/$fd ]]; then exec {fd}>&-; fi; done; exec "$@"';

/** `setpriv` options that leave root for good: uid/gid, no groups, no capabilities of any kind, no_new_privs. */
export function setprivArgs(uid: number, gid: number): string[] {
  return [
    "--reuid", String(uid), "--regid", String(gid), "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
    "--no-new-privs",
  ];
}

/** The bwrap argument vector for one spawn; `command` is the resolved executable. Pure, for testing. */
export function buildBwrapArgs(plan: BwrapPlan, spec: SandboxSpec, command: string): string[] {
  const { drop, layout } = plan;
  const args: string[] = [];
  if (drop) {
    // No user namespace: root can mount, and --uid would map back to root outside. So not `--unshare-all`, whose
    // `--unshare-user-try` would add one: the same namespaces listed one by one. What `--disable-userns` gives the
    // other mode (no nested user namespaces) comes from the seccomp filter here.
    args.push("--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts");
    if (layout.cgroupNamespace) args.push("--unshare-cgroup");
    args.push("--cap-drop", "ALL", ...ROOT_STEP_CAPS.flatMap((cap) => ["--cap-add", cap]));
  } else {
    args.push("--unshare-user", "--unshare-all", "--disable-userns");
  }
  args.push("--die-with-parent", "--new-session", "--clearenv", "--info-fd", String(plan.infoFd));
  if (plan.seccompFd !== null) args.push("--seccomp", String(plan.seccompFd));
  args.push("--proc", "/proc", "--dev", "/dev");
  args.push("--perms", "1777", "--size", String(plan.tmpSizeBytes), "--tmpfs", "/tmp");
  const mounts = new MountList(args, ["/usr", "/proc", "/dev"]);
  mounts.bind("/usr", false);
  for (const e of layout.rootEntries) {
    if (e.kind === "symlink") mounts.symlink(e.target, e.path);
    else mounts.bind(e.path, false);
  }
  for (const e of layout.etcEntries) {
    if (e.kind === "symlink") mounts.symlink(e.target, e.path);
    else mounts.bind(e.path, false);
  }
  const binds = orderedBinds(spec);
  const rootDirs = layout.rootEntries.filter((e) => e.kind === "dir").map((e) => e.path);
  const visible = ["/usr", ...rootDirs, ...binds.map((b) => b.path)];
  if (!visible.some((dir) => isWithin(command, dir))) mounts.bind(command, false);
  for (const b of binds) mounts.bind(b.path, b.writable);
  mounts.dir(spec.cwd);
  args.push("--chdir", spec.cwd);
  args.push("--", plan.bash, "-c", CLOSE_FDS, "close-fds");
  if (drop) args.push(drop.setpriv, ...setprivArgs(drop.uid, drop.gid), "--");
  args.push(plan.envTool, "-i", "--", ...Object.entries(spec.env).map(([name, value]) => `${name}=${value}`));
  args.push(command, ...spec.args);
  return args;
}

/**
 * Emits mounts, creating each missing parent directory first with mode 0755: bwrap would create it 0700 and
 * owned by root, which the unprivileged worker could not enter.
 */
class MountList {
  private readonly created = new Set<string>(["/", "/tmp"]);

  /** `hostBacked`: mount points whose subdirectories exist already (they show a host directory). */
  constructor(private readonly args: string[], private readonly hostBacked: string[]) {}

  bind(p: string, writable: boolean): void {
    this.parents(p);
    this.args.push(writable ? "--bind" : "--ro-bind", p, p);
    this.hostBacked.push(p);
  }

  symlink(target: string, p: string): void {
    this.parents(p);
    this.args.push("--symlink", target, p);
  }

  /** Makes sure directory `p` exists (it does when it lies in a bound host directory). */
  dir(p: string): void {
    this.parents(p);
    this.ensure(p);
  }

  private parents(p: string): void {
    const parts = p.split("/").filter(Boolean);
    for (let i = 1; i < parts.length; i++) this.ensure(`/${parts.slice(0, i).join("/")}`);
  }

  private ensure(dir: string): void {
    if (this.created.has(dir) || this.hostBacked.some((m) => isWithin(dir, m))) return;
    this.args.push("--perms", "0755", "--dir", dir);
    this.created.add(dir);
  }
}

interface Bind {
  readonly path: string;
  readonly writable: boolean;
}

/** Parents before children so nested binds land on top; at equal depth a writable bind wins over read-only. */
function orderedBinds(spec: SandboxSpec): Bind[] {
  const all: Bind[] = [
    ...spec.readOnlyPaths.map((p) => ({ path: path.resolve(p), writable: false })),
    ...spec.writablePaths.map((p) => ({ path: path.resolve(p), writable: true })),
  ];
  const seen = new Set<string>();
  const unique = all.filter((b) => {
    const key = `${b.writable}:${b.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const depth = (p: string) => p.split("/").length;
  return unique.sort((a, b) => depth(a.path) - depth(b.path));
}
