import fs from "node:fs";
import path from "node:path";
import { isWithin } from "./host-layout.ts";
import { SandboxError } from "./sandbox-error.ts";
import type { SandboxSpec } from "./types.ts";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Rejects a spec that would otherwise fail obscurely inside bwrap or silently widen the sandbox: relative or
 * missing paths, `/` itself as a bind, env names that are not plain identifiers, NUL bytes anywhere.
 */
export function checkSpec(spec: SandboxSpec): void {
  const fail = (what: string): never => {
    throw new SandboxError("sandbox_spec_invalid", `invalid sandbox spec: ${what}`);
  };
  const checkPath = (label: string, p: string, mustExist: boolean) => {
    if (p.includes("\0")) fail(`${label} contains a NUL byte`);
    if (!path.isAbsolute(p)) fail(`${label} must be absolute, got ${JSON.stringify(p)}`);
    if (mustExist && !fs.existsSync(p)) fail(`${label} ${p} does not exist`);
  };
  checkPath("command", spec.command, true);
  checkPath("cwd", spec.cwd, false);
  for (const p of spec.readOnlyPaths) checkPath("read-only path", p, true);
  const all = [...spec.readOnlyPaths, ...spec.writablePaths].map((p) => path.resolve(p));
  for (const p of all) if (p === "/") fail("binding / would expose the whole host");
  for (const p of spec.writablePaths) {
    checkPath("writable path", p, true);
    const st = fs.lstatSync(p);
    if (!st.isDirectory()) fail(`writable path ${p} must be a directory (not a file or symlink)`);
    const inside = all.find((q) => q !== path.resolve(p) && isWithin(q, path.resolve(p)));
    if (inside) fail(`${inside} lies inside writable path ${p}; list paths the tenant cannot rewrite`);
  }
  for (const a of spec.args) if (a.includes("\0")) fail("an argument contains a NUL byte");
  for (const [name, value] of Object.entries(spec.env)) {
    if (!ENV_NAME.test(name)) fail(`environment variable name ${JSON.stringify(name)} is not an identifier`);
    if (value.includes("\0")) fail(`environment variable ${name} contains a NUL byte`);
  }
  for (const id of [spec.uid, spec.gid]) {
    if (id !== undefined && (!Number.isInteger(id) || id <= 0)) fail(`uid/gid must be a positive integer, got ${id}`);
  }
}
