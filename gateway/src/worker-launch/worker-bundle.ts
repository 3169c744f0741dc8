import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { build, version as esbuildVersion } from "esbuild";

/** A built worker: the `plothost` package directory holding the worker's entry and the package entry. */
export interface WorkerBundle {
  /** `<root>/node_modules/plothost`: `worker.js`, `index.js` (the `plothost` module), their shared chunks. */
  readonly packageDir: string;
  /** `<packageDir>/worker.js`. */
  readonly entry: string;
  /** Compiled apps go below `<root>/apps/`, so that `import "plothost"` finds `<root>/node_modules/plothost`. */
  readonly appsDir: string;
}

// The bundle is ESM; its CommonJS dependencies (pino, ws, ...) call `require` for Node's built-ins.
const REQUIRE_SHIM =
  'import { createRequire as __plothostCreateRequire } from "node:module"; const require = __plothostCreateRequire(import.meta.url);';

/**
 * Builds (once per source version, cached in `cacheDir/<hash>`) one esbuild bundle of the worker
 * (worker/src/main.ts) and of the package entry (shared/index.ts) with code splitting, so both import the same
 * chunk and an app's `plothost` model classes are the worker's own (Document and models are compared by
 * identity). It is laid out as the package `node_modules/plothost`: apps compiled below `appsDir` import it by
 * its bare name with Node's ordinary lookup, without a resolver hook. The hash covers the worker's and the
 * package's sources, the lock file, esbuild's and Node's versions. Other builds in `cacheDir` are removed.
 */
export async function buildWorkerBundle(projectRoot: string, cacheDir: string): Promise<WorkerBundle> {
  const hash = sourceHash(projectRoot);
  const root = path.join(cacheDir, hash);
  const bundle = {
    packageDir: path.join(root, "node_modules", "plothost"),
    entry: path.join(root, "node_modules", "plothost", "worker.js"),
    appsDir: path.join(root, "apps"),
  };
  fs.mkdirSync(cacheDir, { recursive: true, mode: 0o755 });
  removeOthers(cacheDir, hash);
  if (fs.existsSync(path.join(bundle.packageDir, "package.json"))) return bundle;
  const tmp = fs.mkdtempSync(path.join(cacheDir, ".build-"));
  try {
    const pkg = path.join(tmp, "node_modules", "plothost");
    await build({
      entryPoints: { worker: path.join(projectRoot, "worker", "src", "main.ts"), index: path.join(projectRoot, "shared", "index.ts") },
      bundle: true, splitting: true, format: "esm", platform: "node", target: "node20", outdir: pkg,
      banner: { js: REQUIRE_SHIM }, define: { PLOTHOST_BUNDLED: "true" }, logLevel: "silent", legalComments: "none",
    });
    fs.mkdirSync(path.join(tmp, "apps"), { mode: 0o755 });
    // Written last: its presence marks a complete build.
    fs.writeFileSync(path.join(tmp, "package.json"), `${JSON.stringify({ private: true, type: "module" })}\n`, { mode: 0o644 });
    fs.writeFileSync(path.join(pkg, "package.json"), `${JSON.stringify({ name: "plothost", type: "module", exports: "./index.js" })}\n`, { mode: 0o644 });
    for (const d of [tmp, path.join(tmp, "node_modules"), pkg]) fs.chmodSync(d, 0o755);
    try {
      fs.renameSync(tmp, root);
    } catch (err) {
      // Another gateway process on this data dir built the same version first.
      if (!fs.existsSync(path.join(bundle.packageDir, "package.json"))) throw err;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return bundle;
}

function sourceHash(projectRoot: string): string {
  const h = crypto.createHash("sha256").update(`${process.version}\0${esbuildVersion}\0`);
  for (const dir of ["worker", "shared"]) {
    for (const file of tsFiles(path.join(projectRoot, dir))) h.update(`${path.relative(projectRoot, file)}\0`).update(fs.readFileSync(file));
  }
  const lock = path.join(projectRoot, "package-lock.json");
  if (fs.existsSync(lock)) h.update(fs.readFileSync(lock));
  return h.digest("hex").slice(0, 16);
}

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const d of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, d.name);
    if (d.isDirectory() && d.name !== "node_modules") out.push(...tsFiles(p));
    else if (d.isFile() && /\.(ts|mts|js|mjs|json)$/.test(d.name)) out.push(p);
  }
  return out;
}

function removeOthers(cacheDir: string, keep: string): void {
  for (const name of fs.readdirSync(cacheDir)) {
    if (name !== keep && !name.startsWith(".build-")) fs.rmSync(path.join(cacheDir, name), { recursive: true, force: true });
  }
}
