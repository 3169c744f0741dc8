import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { setprivArgs } from "./bwrap-args.ts";
import { CgroupLauncher } from "./cgroup-launcher.ts";
import type { CgroupLimiter } from "./cgroup-limiter.ts";
import { canAccess } from "./path-access.ts";
import { checkSpec } from "./spec-check.ts";
import type { Sandbox, SandboxSpec } from "./types.ts";

/** Options of the unsandboxed fallback. */
export interface PlainSandboxOptions {
  /** Set when the gateway runs as root: the uid/gid children should run as when their paths allow it. */
  readonly drop: { readonly uid: number; readonly gid: number } | null;
  /** Why bwrap is not used (always non-empty: plain never isolates tenants). */
  readonly warnings: readonly string[];
  /** Told about warnings that arise at spawn time (they are also appended to `warnings`, once each). */
  readonly onWarning?: (message: string) => void;
  /**
   * Host tools (absolute paths) for the launch chain `bash` (joins the cgroup) → `setpriv` (drops root, when
   * `drop` is set; required then) → `env -i` (sets the tenant's environment last). Null: spawn the command
   * directly, with `{uid, gid}`, and no cgroup.
   */
  readonly tools?: { readonly bash: string; readonly env: string; readonly setpriv: string | null } | null;
  /** Enforces `SandboxSpec.limits` (needs `tools`); null leaves them unenforced. */
  readonly cgroups?: CgroupLimiter | null;
}

/**
 * The fallback when bubblewrap is unavailable: a plain child process with only the spec's environment and, when
 * the gateway is root, the unprivileged uid. Tenants share the host's file system, network and process table,
 * the listed paths are not enforced, and descendants survive the child being killed: not isolation. What remains
 * with the host tools: root dropped with no capabilities and no_new_privs, and the cgroup limits (whose cleanup
 * also kills descendants left behind when the child exits).
 */
export function createPlainSandbox(opts: PlainSandboxOptions): Sandbox {
  const warnings = [...opts.warnings];
  const warn = (message: string) => {
    if (warnings.includes(message)) return;
    warnings.push(message);
    opts.onWarning?.(message);
  };
  const tools = opts.tools ?? null;
  const cgroups = new CgroupLauncher(tools ? opts.cgroups ?? null : null, tools?.bash ?? "/bin/sh");
  const layers = Object.freeze([
    ...(opts.drop ? [`uid:${opts.drop.uid}`] : []),
    "clearenv",
    ...(opts.drop && tools ? ["no-new-privs", "caps:none"] : []),
    ...(cgroups.layer ? [cgroups.layer] : []),
  ]);
  return {
    kind: "plain",
    layers,
    warnings,
    spawn(spec: SandboxSpec): ChildProcess {
      checkSpec(spec);
      let ids: { uid: number; gid: number } | undefined;
      if (opts.drop) {
        const uid = spec.uid ?? opts.drop.uid;
        const gid = spec.gid ?? opts.drop.gid;
        const blocked = unreachable(spec, uid, gid);
        if (blocked === null) {
          for (const dir of spec.writablePaths) fs.chownSync(dir, uid, gid);
          ids = { uid, gid };
        } else {
          warn(
            `plain sandbox: uid ${uid} cannot reach ${blocked}, so this tenant runs as root. Move the project ` +
              "out of 0700 directories (e.g. /root), or install bubblewrap (apt-get install bubblewrap).",
          );
        }
      }
      if (!tools || (ids && !tools.setpriv)) {
        return spawn(spec.command, spec.args, {
          env: { ...spec.env },
          cwd: spec.cwd,
          stdio: ["ignore", "pipe", "pipe"],
          detached: false,
          ...ids,
        });
      }
      const chain = [
        ...(ids ? [tools.setpriv!, ...setprivArgs(ids.uid, ids.gid), "--"] : []),
        tools.env, "-i", "--", ...Object.entries(spec.env).map(([name, value]) => `${name}=${value}`),
        spec.command, ...spec.args,
      ];
      const launch = cgroups.launch(spec, chain[0], chain.slice(1));
      const child = spawn(launch.command, launch.args, {
        env: {},
        cwd: spec.cwd,
        stdio: ["ignore", "pipe", "pipe"],
        detached: false,
      });
      launch.watch(child);
      return child;
    },
    exitReason: (child) => cgroups.exitReason(child),
    close: () => cgroups.close(),
  };
}

/** The first path the uid could not use as the spec needs, or null when all are fine. */
function unreachable(spec: SandboxSpec, uid: number, gid: number): string | null {
  const wanted: Array<[string, "read" | "execute"]> = [
    [spec.command, "execute"],
    [spec.cwd, "execute"],
    ...spec.readOnlyPaths.map((p): [string, "read"] => [p, "read"]),
    // The writable dirs are chowned to the uid; their parents must still be enterable.
    ...spec.writablePaths.map((p): [string, "execute"] => [path.dirname(p), "execute"]),
  ];
  for (const [p, access] of wanted) if (!canAccess(p, uid, gid, access)) return p;
  return null;
}
