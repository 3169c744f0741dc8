import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { build, type Message, type Plugin } from "esbuild";

const CODE = /\.(ts|mts|cts|tsx|js|mjs|cjs|jsx)$/;
/** Not server code at an app's top level: browser assets, templates. `node_modules` is never compiled. */
const TOP_LEVEL_ASSETS = new Set(["static", "templates"]);
/** An app tree bigger than this is refused (a single module in a big folder: move it into a folder of its own). */
const MAX_ENTRIES = 10_000;
const DONE = ".plothost-compiled";

/** An app the worker cannot run: the compiler's messages, with file:line:column. */
export class AppCompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AppCompileError";
  }
}

/** Where a compiled app is: its directory (what the worker may read) and the path the worker loads. */
export interface CompiledApp {
  readonly dir: string;
  readonly appPath: string;
  /** The app's own `node_modules` (linked package by package into the copy), which the worker must read too; or null. */
  readonly nodeModules: string | null;
}

/**
 * Compiles an app to JavaScript for the bundled worker: a copy of the app's directory under `appsDir` (same
 * layout, so `import.meta.url`-relative reads, `static/`, `theme.json` and templates work) where each server
 * module is an ES module `X.js` (from `X.ts`, `X.mts`, ...) whose relative imports name the `.js` files and whose
 * other imports (`plothost`, Node's modules, the app's own `node_modules`) stay as they are. A directory app
 * compiles every server module; a single module compiles itself and the modules it imports (its folder's other
 * files are copied, as the folder is what it sees). Cached: a copy is keyed by the app's path and the names, sizes
 * and mtimes of its files, so an unchanged app is not compiled again.
 */
export async function compileApp(appPath: string, appDir: string, appsDir: string): Promise<CompiledApp> {
  const single = appPath !== appDir;
  const walked = walk(appDir, appsDir);
  const stamp = crypto.createHash("sha256").update(appPath);
  for (const e of walked) stamp.update(`${e.rel}\0${e.kind}\0${e.size}\0${e.mtimeMs}\0`);
  const out = path.join(appsDir, stamp.digest("hex").slice(0, 24));
  const modules = path.join(appDir, "node_modules");
  const nodeModules = fs.existsSync(modules) && fs.statSync(modules).isDirectory() ? modules : null;
  const result = { dir: out, appPath: single ? path.join(out, jsName(path.basename(appPath))) : out, nodeModules };
  if (fs.existsSync(path.join(out, DONE))) return result;
  const eligible = new Set(walked.filter((e) => e.kind === "file" && isServerModule(e.rel)).map((e) => path.join(appDir, e.rel)));
  const tmp = fs.mkdtempSync(path.join(appsDir, ".compile-"));
  try {
    const copied = new Set([appDir, ...walked.map((e) => path.join(appDir, e.rel))]);
    fs.cpSync(appDir, tmp, { recursive: true, verbatimSymlinks: true, filter: (src) => copied.has(src) && !eligible.has(src) });
    if (nodeModules) linkPackages(nodeModules, path.join(tmp, "node_modules"));
    await compileModules(single ? [appPath] : [...eligible], appDir, tmp, eligible);
    writeModulePackageJson(tmp);
    makeReadable(tmp);
    fs.writeFileSync(path.join(tmp, DONE), "");
    try {
      fs.renameSync(tmp, out);
    } catch (err) {
      if (!fs.existsSync(path.join(out, DONE))) throw err; // else another worker of this app compiled it first
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return result;
}

/** Compiles `entries` (and, transitively, the eligible modules they import) from `appDir` to `outDir`. */
async function compileModules(entries: string[], appDir: string, outDir: string, eligible: ReadonlySet<string>): Promise<void> {
  const done = new Set<string>();
  let todo = entries;
  while (todo.length > 0) {
    const found = new Set<string>();
    for (const e of todo) done.add(e);
    try {
      await build({
        entryPoints: todo, outbase: appDir, outdir: outDir, entryNames: "[dir]/[name]", bundle: true, format: "esm",
        platform: "node", target: "node20", logLevel: "silent", plugins: [eachFileAlone(eligible, found)],
        // With the worker's --enable-source-maps, stack traces (logs, the --dev error page) name the app's sources.
        sourcemap: "inline",
      });
    } catch (err) {
      const errors = (err as { errors?: Message[] }).errors ?? [];
      const lines = errors.map((e) => (e.location ? `${path.relative(appDir, e.location.file) || e.location.file}:${e.location.line}:${e.location.column + 1}: ${e.text}` : e.text));
      throw new AppCompileError(`compile failed:\n${(lines.length > 0 ? lines : [(err as Error).message]).slice(0, 10).join("\n")}`);
    }
    todo = [...found].filter((f) => !done.has(f));
  }
}

/**
 * Keeps each module its own output: every import but the entry is external; a relative import of a server module
 * is renamed to that module's `.js` output (and remembered in `found`, to compile it too).
 */
function eachFileAlone(eligible: ReadonlySet<string>, found: Set<string>): Plugin {
  return {
    name: "plothost-each-file-alone",
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === "entry-point" || args.pluginData === "inner") return undefined;
        if (!args.path.startsWith(".") && !path.isAbsolute(args.path)) return { path: args.path, external: true };
        const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: "inner" });
        if (r.errors.length > 0 || !eligible.has(r.path)) return { path: args.path, external: true };
        found.add(r.path);
        let rel = path.relative(path.dirname(args.importer), jsName(r.path)).split(path.sep).join("/");
        if (!rel.startsWith(".")) rel = `./${rel}`;
        return { path: rel, external: true };
      });
    },
  };
}

function jsName(file: string): string {
  return file.replace(CODE, ".js");
}

function isServerModule(rel: string): boolean {
  const parts = rel.split(path.sep);
  return CODE.test(rel) && !rel.endsWith(".d.ts") && !TOP_LEVEL_ASSETS.has(parts[0]) && !parts.includes("node_modules");
}

/** The compiled modules are ES modules: the copy's package.json says so (the app's own fields are kept). */
function writeModulePackageJson(dir: string): void {
  const file = path.join(dir, "package.json");
  let pkg: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, "utf8"));
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) pkg = parsed as Record<string, unknown>;
  } catch {
    // none, or not JSON: a fresh one
  }
  fs.rmSync(file, { force: true });
  fs.writeFileSync(file, `${JSON.stringify({ ...pkg, type: "module" })}\n`, { mode: 0o644 });
}

/** The worker's uid must read the copy whatever the source's modes (a 0700 temp dir, say). */
function makeReadable(dir: string): void {
  fs.chmodSync(dir, 0o755);
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) makeReadable(p);
    else if (d.isFile()) fs.chmodSync(p, (fs.statSync(p).mode & 0o111) !== 0 ? 0o755 : 0o644);
  }
}

interface Entry {
  readonly rel: string;
  readonly kind: "file" | "dir" | "link";
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * The app's files, without the top-level `node_modules` (linked, not copied), dot-directories (`.git`, a
 * `.plothost` data directory) and whatever holds the compiled copies themselves.
 */
function walk(root: string, appsDir: string, rel = "", out: Entry[] = []): Entry[] {
  for (const d of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    if (out.length >= MAX_ENTRIES) {
      throw new AppCompileError(`${root} has more than ${MAX_ENTRIES} files: put the app in a folder of its own`);
    }
    const r = path.join(rel, d.name);
    if (d.isDirectory() && ((rel === "" && d.name === "node_modules") || d.name.startsWith(".") || isWithin(appsDir, path.join(root, r)))) continue;
    const st = fs.lstatSync(path.join(root, r));
    out.push({ rel: r, kind: d.isDirectory() ? "dir" : d.isSymbolicLink() ? "link" : "file", size: st.size, mtimeMs: st.mtimeMs });
    if (d.isDirectory()) walk(root, appsDir, r, out);
  }
  return out;
}

/**
 * The app's dependencies, each package linked from the copy's `node_modules` (Node follows the link to the
 * original, which the worker may read). Not `plothost`: the app must get the worker's own (see worker-bundle.ts).
 */
function linkPackages(from: string, to: string): void {
  fs.mkdirSync(to, { mode: 0o755 });
  for (const name of fs.readdirSync(from)) {
    if (name === "plothost" || name === ".bin") continue;
    fs.symlinkSync(path.join(from, name), path.join(to, name));
  }
}

function isWithin(p: string, dir: string): boolean {
  const rel = path.relative(dir, p);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}
