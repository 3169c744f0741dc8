import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import type { Readable, Writable } from "node:stream";
import { buildBwrapArgs, type BwrapPlan, type PrivilegeDrop } from "./bwrap-args.ts";
import { CgroupLauncher } from "./cgroup-launcher.ts";
import type { CgroupLimiter } from "./cgroup-limiter.ts";
import { readHostLayout, type HostLayout } from "./host-layout.ts";
import { oldestChildOf } from "./process-tree.ts";
import type { CompiledSeccomp } from "./seccomp-compiler.ts";
import { checkSpec } from "./spec-check.ts";
import type { Sandbox, SandboxSpec } from "./types.ts";

/** Options of the bubblewrap implementation; `createSandbox` fills them in after finding the tools. */
export interface BwrapSandboxOptions {
  /** Absolute path of the bwrap executable. */
  readonly bwrap: string;
  /** Set when the gateway runs as root (see `PrivilegeDrop`); null runs bwrap unprivileged in a user namespace. */
  readonly drop: PrivilegeDrop | null;
  /** Absolute path of `env` (under /usr or a mirrored system dir, so it is visible inside). */
  readonly envTool: string;
  /** Absolute path of `bash` (likewise visible inside), used to close inherited fds. */
  readonly bash: string;
  readonly tmpSizeBytes: number;
  /** Defaults to the host's layout read now. */
  readonly layout?: HostLayout;
  /** Extra warnings to report (e.g. an ignored uid option). */
  readonly warnings?: readonly string[];
  /** The syscall filter applied to everything in the sandbox; null runs without one (say why in `warnings`). */
  readonly seccomp?: CompiledSeccomp | null;
  /** Enforces `SandboxSpec.limits`; null leaves them unenforced (say why in `warnings`). */
  readonly cgroups?: CgroupLimiter | null;
}

const INFO_FD = 3;
const SECCOMP_FD = 4;

/**
 * Runs each child in a fresh bubblewrap sandbox: its own pid, net (only `lo`), ipc, uts, mount and cgroup
 * namespaces; `/usr` and the listed paths bound, a private `/tmp`, nothing else of the host; no environment but
 * the spec's, no inherited fds but stdio; uid dropped, no capabilities, no_new_privs; the seccomp deny-list (when
 * compiled) on every process inside; and, for a spec with limits, a cgroup joined before bwrap starts. See
 * `Sandbox` for how signals behave.
 */
export function createBwrapSandbox(opts: BwrapSandboxOptions): Sandbox {
  const layout = opts.layout ?? readHostLayout();
  const seccomp = opts.seccomp ?? null;
  const plan: BwrapPlan = {
    drop: opts.drop, envTool: opts.envTool, bash: opts.bash, layout, tmpSizeBytes: opts.tmpSizeBytes, infoFd: INFO_FD,
    seccompFd: seccomp ? SECCOMP_FD : null,
  };
  const cgroups = new CgroupLauncher(opts.cgroups ?? null, opts.bash);
  const namespaces = [...(opts.drop ? [] : ["user"]), "pid", "net", "ipc", "uts", "mount"];
  if (layout.cgroupNamespace) namespaces.push("cgroup");
  const identity = opts.drop ? [`uid:${opts.drop.uid}`, `gid:${opts.drop.gid}`] : [`uid:${process.getuid?.() ?? -1}`];
  const layers = Object.freeze([
    ...identity,
    `namespaces:${namespaces.join(",")}`,
    ...(!opts.drop || seccomp ? ["no-nested-userns"] : []),
    ...(seccomp ? [`seccomp:deny-list`] : []),
    ...(cgroups.layer ? [cgroups.layer] : []),
    "clearenv",
    "closed-fds",
    "no-new-privs",
    "caps:none",
    "fs:usr-ro+listed-paths",
    `tmpfs:/tmp:${opts.tmpSizeBytes}`,
    "die-with-parent",
    "new-session",
  ]);
  return {
    kind: "bwrap",
    layers,
    warnings: Object.freeze([...(opts.warnings ?? [])]),
    spawn(spec: SandboxSpec): ChildProcess {
      checkSpec(spec);
      const command = fs.realpathSync(spec.command);
      let spawnPlan = plan;
      if (opts.drop) {
        const drop = { ...opts.drop, uid: spec.uid ?? opts.drop.uid, gid: spec.gid ?? opts.drop.gid };
        // The directory itself only: chowning what the tenant wrote inside could follow its symlinks.
        for (const dir of spec.writablePaths) fs.chownSync(dir, drop.uid, drop.gid);
        spawnPlan = { ...plan, drop };
      }
      const launch = cgroups.launch(spec, opts.bwrap, buildBwrapArgs(spawnPlan, spec, command));
      const child = spawn(launch.command, launch.args, {
        env: {},
        stdio: ["ignore", "pipe", "pipe", "pipe", ...(seccomp ? ["pipe" as const] : [])],
        detached: false,
      });
      launch.watch(child);
      if (seccomp) {
        // A fresh pipe per spawn: bwrap reads the filter to EOF, and nothing else can hold the fd.
        const fd = child.stdio[SECCOMP_FD] as Writable | null;
        fd?.on("error", () => {});
        fd?.end(seccomp.bpf);
      }
      forwardGentleSignals(child, child.stdio[INFO_FD] as Readable | null);
      return child;
    },
    exitReason: (child) => cgroups.exitReason(child),
    close: () => cgroups.close(),
  };
}

/**
 * bwrap does not forward signals: any signal that ends it ends the whole sandbox (its init gets SIGKILL). That
 * is right for SIGKILL, but SIGTERM should let the worker shut down gracefully. So `kill()` of the returned
 * process delivers other signals to the sandboxed command itself, found as the oldest child of bwrap's init
 * (whose host pid bwrap reports on `--info-fd`). SIGKILL, or a command not found yet, still hits bwrap.
 */
function forwardGentleSignals(child: ChildProcess, info: Readable | null): void {
  let initPid: number | null = null;
  if (info) {
    let text = "";
    info.setEncoding("utf8");
    info.on("data", (chunk: string) => {
      text += chunk;
      const match = /"child-pid"\s*:\s*(\d+)/.exec(text);
      if (match) initPid = Number(match[1]);
    });
    info.on("error", () => {});
  }
  const killSandbox = child.kill.bind(child);
  child.kill = (signal?: NodeJS.Signals | number): boolean => {
    const running = child.exitCode === null && child.signalCode === null;
    const gentle = signal !== "SIGKILL" && signal !== 9;
    const target = running && gentle && initPid !== null ? oldestChildOf(initPid) : null;
    if (target === null) return killSandbox(signal);
    try {
      process.kill(target, signal ?? "SIGTERM");
      return true;
    } catch {
      return killSandbox(signal);
    }
  };
}
