import { createHash } from "node:crypto";
import fs from "node:fs";
import { fileURLToPath } from "node:url";

/** The console's script and stylesheet, ready to serve, and the version their URLs carry. */
export interface ConsoleAssets {
  readonly js: string;
  readonly css: string;
  /** A hash of both: the `?v=` of their URLs, so they can be cached for good. */
  readonly version: string;
}

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

let built: Promise<ConsoleAssets> | null = null;

/**
 * Bundles `client/console.ts` for browsers with esbuild (once per process, in memory, in a few tens of
 * milliseconds: there is no build step to forget and nothing generated to commit) and reads `console.css`.
 */
export function consoleAssets(): Promise<ConsoleAssets> {
  built ??= build().catch((err: unknown) => {
    built = null;
    throw err;
  });
  return built;
}

async function build(): Promise<ConsoleAssets> {
  const esbuild = await import("esbuild");
  const out = await esbuild.build({
    entryPoints: [here("./client/console.ts")], bundle: true, write: false, format: "iife", target: ["es2020"],
    minify: true, legalComments: "none", logLevel: "silent",
  });
  const js = out.outputFiles[0].text;
  const css = fs.readFileSync(here("./console.css"), "utf8");
  const version = createHash("sha256").update(js).update(css).digest("hex").slice(0, 12);
  return { js, css, version };
}
