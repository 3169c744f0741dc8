import fs from "node:fs";
import path from "node:path";

/** Where system tools live; helpers run inside the sandbox must be found here (they are mirrored inside). */
export const SYSTEM_DIRS: readonly string[] = [
  "/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin",
];

/** How one top-level host entry (`/bin`, `/lib64`, ...) is reproduced inside the sandbox. */
export type RootEntry =
  | { readonly kind: "symlink"; readonly path: string; readonly target: string }
  | { readonly kind: "dir"; readonly path: string };

/** How one harmless `/etc` file that Node reads at start is reproduced inside the sandbox. */
export type EtcEntry =
  | { readonly kind: "symlink"; readonly path: string; readonly target: string }
  | { readonly kind: "file"; readonly path: string };

/**
 * The host's system layout as the sandbox reproduces it: `/usr` read-only, the merged-usr symlinks (or real
 * dirs on a non-merged system) and the few `/etc` files Node opens at start (time zone, loader cache, OpenSSL
 * config). Nothing else of `/etc` (no passwd, shadow, hosts or resolv.conf).
 */
export interface HostLayout {
  readonly rootEntries: readonly RootEntry[];
  readonly etcEntries: readonly EtcEntry[];
  /** Whether the kernel offers cgroup namespaces. */
  readonly cgroupNamespace: boolean;
}

const ROOT_NAMES = ["bin", "sbin", "lib", "lib32", "lib64", "libx32"];
const ETC_FILES = ["/etc/localtime", "/etc/ld.so.cache", "/etc/ssl/openssl.cnf"];

/** Reads the host's layout once (a few lstat calls). */
export function readHostLayout(): HostLayout {
  const rootEntries: RootEntry[] = [];
  for (const name of ROOT_NAMES) {
    const p = `/${name}`;
    const st = lstatOrNull(p);
    if (st?.isSymbolicLink()) rootEntries.push({ kind: "symlink", path: p, target: fs.readlinkSync(p) });
    else if (st?.isDirectory()) rootEntries.push({ kind: "dir", path: p });
  }
  const etcEntries: EtcEntry[] = [];
  for (const p of ETC_FILES) {
    const st = lstatOrNull(p);
    if (!st) continue;
    if (st.isSymbolicLink()) {
      // Keep a symlink into /usr as a symlink: ICU derives the zone name from /etc/localtime's target.
      const real = realpathOrNull(p);
      if (real && isWithin(real, "/usr")) etcEntries.push({ kind: "symlink", path: p, target: fs.readlinkSync(p) });
      else if (real) etcEntries.push({ kind: "file", path: p });
    } else if (st.isFile()) {
      etcEntries.push({ kind: "file", path: p });
    }
  }
  return { rootEntries, etcEntries, cgroupNamespace: fs.existsSync("/proc/self/ns/cgroup") };
}

/** First executable regular file called `name` in `dirs`, or null. */
export function findExecutable(name: string, dirs: readonly string[]): string | null {
  for (const dir of dirs) {
    if (!path.isAbsolute(dir)) continue;
    const candidate = path.join(dir, name);
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      if (fs.statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

/** Whether `p` is `dir` or lies below it (both absolute, normalised). */
export function isWithin(p: string, dir: string): boolean {
  const rel = path.relative(dir, p);
  return rel === "" || (rel !== ".." && !rel.startsWith("../") && !path.isAbsolute(rel));
}

function lstatOrNull(p: string): fs.Stats | null {
  try {
    return fs.lstatSync(p);
  } catch {
    return null;
  }
}

function realpathOrNull(p: string): string | null {
  try {
    return fs.realpathSync(p);
  } catch {
    return null;
  }
}
