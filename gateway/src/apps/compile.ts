import fs from "node:fs";
import path from "node:path";
import { transform, type Loader, type Message } from "esbuild";

/** A deploy refused by the compiler; `message` is the compiler's, with file:line:column. */
export class CompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CompileError";
  }
}

const LOADERS: Record<string, Loader> = {
  ".ts": "ts", ".mts": "ts", ".cts": "ts", ".tsx": "tsx", ".js": "js", ".mjs": "js", ".cjs": "js", ".jsx": "jsx",
};
/** Not server code: browser assets, dependencies shipped with the app. */
const SKIPPED_DIRS = new Set(["node_modules", "static", "templates"]);

/**
 * The deploy's compile step: every server-side TypeScript/JavaScript file of the app is compiled with esbuild (the
 * compiler tsx runs in the worker), so a syntax error fails the deploy with the compiler's message instead of
 * breaking the app at its first request. The worker then runs them compiled to JavaScript by esbuild the same way
 * (`--node-permission on`, gateway/src/worker-launch/app-compiler.ts), or through tsx (`off`). Deliberately not done: type checking (tsx does not type-check either; run `tsc` before deploying).
 * Returns how many files were compiled.
 */
export async function compileApp(dir: string): Promise<number> {
  const files = sources(dir);
  const messages: string[] = [];
  for (const file of files) {
    const rel = path.relative(dir, file);
    try {
      await transform(fs.readFileSync(file, "utf8"), {
        loader: LOADERS[path.extname(file)], format: "esm", target: "node20", sourcefile: rel, logLevel: "silent",
      });
    } catch (err) {
      const errors = (err as { errors?: Message[] }).errors ?? [];
      if (errors.length === 0) messages.push(`${rel}: ${(err as Error).message}`);
      for (const e of errors) messages.push(e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1}: ${e.text}` : `${rel}: ${e.text}`);
    }
  }
  if (messages.length > 0) {
    const shown = messages.slice(0, 10);
    if (messages.length > shown.length) shown.push(`... and ${messages.length - shown.length} more`);
    throw new CompileError(`compile failed:\n${shown.join("\n")}`);
  }
  return files.length;
}

function sources(dir: string, top = true): string[] {
  const out: string[] = [];
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, d.name);
    if (d.isDirectory()) {
      if (!(top && SKIPPED_DIRS.has(d.name)) && d.name !== "node_modules") out.push(...sources(p, false));
    } else if (d.isFile() && LOADERS[path.extname(d.name)] && !d.name.endsWith(".d.ts")) out.push(p);
  }
  return out.sort();
}
