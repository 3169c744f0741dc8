import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
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
}

/**
 * The fallback when bubblewrap is unavailable: a plain child process with only the spec's environment and, when
 * the gateway is root, the unprivileged uid. Tenants share the host's file system, network and process table,
 * the listed paths are not enforced, and descendants survive the child being killed: not isolation.
 */
export function createPlainSandbox(opts: PlainSandboxOptions): Sandbox {
  const warnings = [...opts.warnings];
  const warn = (message: string) => {
    if (warnings.includes(message)) return;
    warnings.push(message);
    opts.onWarning?.(message);
  };
  const layers = Object.freeze(opts.drop ? [`uid:${opts.drop.uid}`, "clearenv"] : ["clearenv"]);
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
      return spawn(spec.command, spec.args, {
        env: { ...spec.env },
        cwd: spec.cwd,
        stdio: ["ignore", "pipe", "pipe"],
        detached: false,
        ...ids,
      });
    },
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
