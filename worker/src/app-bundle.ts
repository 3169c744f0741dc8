import fs from "node:fs";
import path from "node:path";
import type { Theme } from "../../shared/models/theme.ts";
import { AppLoadError, loadApp, type AppHandler } from "./app-loader.ts";
import { loadLifecycle, type Lifecycle } from "./lifecycle.ts";
import { loadRestorable, type RestorableApp } from "./restorable-app.ts";

/**
 * Everything a worker serves for one app, as `bokeh serve` knows it. A single module (`myapp.ts`) is just the
 * handler. A directory app (`myapp/`) has `main.ts` (or `.mts`, `.js`, `.mjs`) and optionally
 * `server_lifecycle.ts`, `static/` (served at `<prefix>/static/`), `theme.json` and `templates/index.html`;
 * helper modules and data files beside `main` are reached by ordinary relative imports and `import.meta.url`.
 */
export interface AppBundle {
  readonly kind: "module" | "directory";
  /** The app's directory: the module's folder, or the directory app itself. */
  readonly dir: string;
  readonly handler: AppHandler;
  readonly lifecycle: Lifecycle;
  /** `theme.json`, applied to every session's document before the app fills it. */
  readonly theme: Theme | null;
  /** `templates/index.html`, which replaces the session page (see page-template.ts). */
  readonly template: string | null;
  /** `static/`, or null. */
  readonly staticDir: string | null;
  /** Set when the main module exports `restorable = true` (with its optional `restore`): sessions survive the worker. */
  readonly restorable?: RestorableApp | null;
}

const SCRIPT_EXTENSIONS = [".ts", ".mts", ".js", ".mjs"];

/** The first `<dir>/<base><ext>` that exists, trying the script extensions in order. */
export function findScript(dir: string, base: string): string | null {
  for (const ext of SCRIPT_EXTENSIONS) {
    const file = path.join(dir, `${base}${ext}`);
    if (fs.existsSync(file)) return file;
  }
  return null;
}

/** Loads a single-module or directory app (the worker calls this once at start). */
export async function loadAppBundle(appPath: string): Promise<AppBundle> {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(appPath);
  } catch (err) {
    throw new AppLoadError(`app ${appPath} does not exist`, { cause: err });
  }
  if (!stat.isDirectory()) {
    const handler = await loadApp(appPath);
    return {
      kind: "module", dir: path.dirname(appPath), handler, lifecycle: {}, theme: null, template: null, staticDir: null,
      restorable: await loadRestorable(appPath),
    };
  }
  const main = findScript(appPath, "main");
  if (!main) throw new AppLoadError(`directory app ${appPath} has no main.ts (or main.js)`);
  const lifecycleFile = findScript(appPath, "server_lifecycle");
  const lifecycle = lifecycleFile ? await loadLifecycle(lifecycleFile) : {};
  const handler = await loadApp(main);
  const staticDir = path.join(appPath, "static");
  return {
    kind: "directory",
    dir: appPath,
    handler,
    lifecycle,
    theme: readTheme(path.join(appPath, "theme.json")),
    template: readOptional(path.join(appPath, "templates", "index.html")),
    staticDir: fs.existsSync(staticDir) && fs.statSync(staticDir).isDirectory() ? staticDir : null,
    restorable: await loadRestorable(main),
  };
}

function readOptional(file: string): string | null {
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : null;
}

function readTheme(file: string): Theme | null {
  const text = readOptional(file);
  if (text === null) return null;
  let theme: unknown;
  try {
    theme = JSON.parse(text);
  } catch (err) {
    throw new AppLoadError(`${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (theme === null || typeof theme !== "object" || Array.isArray(theme)) {
    throw new AppLoadError(`${file} must be an object like {"attrs": {"Figure": {"background_fill_color": "black"}}}`);
  }
  return theme as Theme;
}
