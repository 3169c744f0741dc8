import fs from "node:fs";
import path from "node:path";
import * as tar from "tar";
import { PlothostError } from "../../../shared/errors/catalogue.ts";

/** What an app archive holds, found by reading it once before anything is written to disk. */
export interface ArchiveInfo {
  /** A directory app (`main.ts` at its top) or a single module. */
  readonly format: "directory" | "module";
  /** The one top-level directory everything is in (`myapp` for `tar czf x.tgz myapp/`), stripped on extraction; "" if none. */
  readonly root: string;
  /** The module to run, relative to the app's top: `main.ts` for a directory app, `myapp.ts` for a module. */
  readonly entry: string;
  readonly files: number;
  /** Total size of the files once unpacked. */
  readonly bytes: number;
}

export interface ArchiveLimits {
  /** Largest total unpacked size. */
  readonly maxBytes: number;
  /** Most entries (files, directories, links). */
  readonly maxEntries: number;
}

const FILE_TYPES = new Set(["File", "OldFile", "ContiguousFile"]);
const SCRIPT = /^[^/]+\.(ts|mts|js|mjs)$/;
const MAIN = /^main\.(ts|mts|js|mjs)$/;

const refuse = (why: string): PlothostError => new PlothostError("bad_archive", why);

/** `a/./b/` → `a/b`; null when the path is absolute or climbs out with `..`. */
function inside(p: string): string | null {
  if (p.includes("\0") || p.startsWith("/") || /^[A-Za-z]:/.test(p) || p.includes("\\")) return null;
  const norm = path.posix.normalize(p).replace(/\/+$/, "");
  if (norm === ".." || norm.startsWith("../")) return null;
  return norm === "." ? "" : norm;
}

/**
 * Reads a `.tar.gz` and checks it without writing anything: every path stays inside the archive (no absolute
 * paths, no `..`), links point inside it, only files, directories and links are present, and the total size and
 * entry count are within limits. Then works out the app's format. Throws `bad_archive` (400) otherwise.
 */
export async function inspectArchive(file: string, limits: ArchiveLimits): Promise<ArchiveInfo> {
  const paths: Array<{ path: string; dir: boolean }> = [];
  let bytes = 0;
  let problem: PlothostError | null = null;
  const fail = (e: PlothostError) => {
    problem ??= e;
  };
  try {
    await tar.t({
      file, strict: true,
      onReadEntry: (entry) => {
        const p = inside(entry.path);
        if (p === null) return fail(refuse(`the path "${entry.path}" leads outside the archive`));
        if (entry.type === "SymbolicLink" || entry.type === "Link") {
          const target = entry.linkpath ?? "";
          // A symlink's target is relative to its own folder; a hard link's to the archive's top.
          const resolved = entry.type === "SymbolicLink" && !target.startsWith("/") ? path.posix.join(path.posix.dirname(p), target) : target;
          if (inside(resolved) === null) return fail(refuse(`the link "${entry.path}" points outside the archive (to "${target}")`));
        } else if (entry.type !== "Directory" && !FILE_TYPES.has(entry.type)) {
          return fail(refuse(`"${entry.path}" is a ${entry.type}; only files, directories and links are allowed`));
        }
        if (p === "") return;
        paths.push({ path: p, dir: entry.type === "Directory" });
        if (FILE_TYPES.has(entry.type)) bytes += entry.size ?? 0;
        if (bytes > limits.maxBytes) fail(new PlothostError("payload_too_large", `the app is larger than ${limits.maxBytes} bytes unpacked`));
        if (paths.length > limits.maxEntries) fail(refuse(`the archive has more than ${limits.maxEntries} entries`));
      },
    });
  } catch (err) {
    throw refuse(`it is not a readable .tar.gz (${(err as Error).message})`);
  }
  if (problem) throw problem;
  return layout(paths, bytes);
}

/** Finds the app's top (stripping one enclosing directory) and its format. */
function layout(paths: Array<{ path: string; dir: boolean }>, bytes: number): ArchiveInfo {
  if (paths.length === 0) throw refuse("the archive is empty");
  const first = new Set(paths.map((p) => p.path.split("/")[0]));
  const [top] = first;
  const topIsDir = first.size === 1 && paths.some((p) => (p.path === top && p.dir) || p.path.startsWith(`${top}/`));
  const root = topIsDir ? top : "";
  const rel = paths.filter((p) => !p.dir).map((p) => (root ? p.path.slice(root.length + 1) : p.path)).filter(Boolean);
  const files = rel.length;
  const main = rel.filter((p) => MAIN.test(p)).sort((a, b) => order(a) - order(b))[0];
  if (main) return { format: "directory", root, entry: main, files, bytes };
  const scripts = rel.filter((p) => SCRIPT.test(p));
  if (scripts.length === 1) return { format: "module", root, entry: scripts[0], files, bytes };
  throw refuse(scripts.length === 0
    ? "it has no main.ts (directory app) and no .ts/.js module at its top"
    : `it has several modules at its top (${scripts.slice(0, 5).join(", ")}) and no main.ts to say which is the app`);
}

const order = (p: string) => [".ts", ".mts", ".js", ".mjs"].indexOf(path.extname(p));

/**
 * Unpacks a checked archive into `dest` (which must not exist), stripping its enclosing directory. Files become
 * readable by everyone (the worker runs as another user) and nothing is owned by the archive's uids. Links are
 * checked once more on disk.
 */
export async function extractArchive(file: string, info: ArchiveInfo, dest: string): Promise<void> {
  fs.mkdirSync(dest, { recursive: false, mode: 0o755 });
  await tar.x({ file, cwd: dest, strip: info.root ? 1 : 0, strict: true, preservePaths: false, preserveOwner: false });
  const root = fs.realpathSync(dest);
  const walk = (dir: string) => {
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, d.name);
      if (d.isSymbolicLink()) {
        let target: string;
        try {
          target = fs.realpathSync(p);
        } catch {
          continue; // dangling inside the app: harmless
        }
        if (target !== root && !target.startsWith(`${root}${path.sep}`)) throw refuse(`the link "${path.relative(root, p)}" points outside the archive`);
      } else if (d.isDirectory()) {
        fs.chmodSync(p, 0o755);
        walk(p);
      } else if (d.isFile()) {
        fs.chmodSync(p, (fs.statSync(p).mode & 0o111) !== 0 ? 0o755 : 0o644);
      }
    }
  };
  walk(root);
}
