import { pathToFileURL } from "node:url";
import type { Document } from "../../shared/index.ts";
import { AppLoadError, type AppContext } from "./app-loader.ts";

/** What the server-level hooks see: where the app is served from and where its files are. */
export interface ServerContext {
  /** The URL prefix the app is served at, e.g. `/alice/sales`. */
  readonly prefix: string;
  /** The app's directory (read-only inside the sandbox). */
  readonly appDir: string;
}

/** What the session-level hooks see: the app's context plus the session's document. */
export interface SessionContext extends AppContext {
  readonly document: Document;
}

/**
 * A directory app's `server_lifecycle.ts` (bokeh's `server_lifecycle.py`): optional hooks, each sync or async.
 * `onServerLoaded` runs once before the worker serves, `onServerUnloaded` when it stops; `onSessionCreated` runs
 * before the app's main function fills a new session's document, `onSessionDestroyed` after the session's own
 * `on_session_destroyed` callbacks. bokeh's snake_case names (`on_server_loaded`, ...) are accepted too.
 * Deliberately absent: bokeh's `server_context` callback helpers (use `doc.add_periodic_callback` per session).
 */
export interface Lifecycle {
  onServerLoaded?(ctx: ServerContext): unknown;
  onServerUnloaded?(ctx: ServerContext): unknown;
  onSessionCreated?(ctx: SessionContext): unknown;
  onSessionDestroyed?(ctx: SessionContext): unknown;
}

const HOOKS = {
  onServerLoaded: "on_server_loaded",
  onServerUnloaded: "on_server_unloaded",
  onSessionCreated: "on_session_created",
  onSessionDestroyed: "on_session_destroyed",
} as const;

/** Imports a lifecycle module; an export with a hook's name that is not a function is refused. */
export async function loadLifecycle(file: string): Promise<Lifecycle> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw new AppLoadError(`could not load ${file}: ${(err as Error).message}`, { cause: err });
  }
  const lifecycle: Record<string, unknown> = {};
  for (const [camel, snake] of Object.entries(HOOKS)) {
    const hook = mod[camel] ?? mod[snake];
    if (hook === undefined) continue;
    if (typeof hook !== "function") throw new AppLoadError(`${file}: export ${camel} must be a function`);
    lifecycle[camel] = hook;
  }
  return lifecycle as Lifecycle;
}
