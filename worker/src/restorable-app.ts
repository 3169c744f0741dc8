import { pathToFileURL } from "node:url";
import type { Document } from "../../shared/index.ts";
import { AppLoadError, type AppContext } from "./app-loader.ts";

/**
 * Re-attaches a restored session's callbacks: the document comes back from its saved JSON (models, data, ids),
 * but Python-like server callbacks are code and are not saved. Typically `doc.select_one({name})` then `on_change`.
 */
export type RestoreHandler = (doc: Document, ctx: AppContext) => void | Promise<void>;

/** What an app that marks itself restorable exports besides its default function. */
export interface RestorableApp {
  readonly restore: RestoreHandler | null;
}

/**
 * Reads `export const restorable = true` and the optional `export function restore(doc, ctx)` from an app's
 * (already imported) main module; null when the app is not restorable. A `restore` that is not a function, or
 * `restorable` that is not a boolean, is refused.
 */
export async function loadRestorable(mainFile: string): Promise<RestorableApp | null> {
  const mod = (await import(pathToFileURL(mainFile).href)) as { restorable?: unknown; restore?: unknown };
  if (mod.restorable !== undefined && typeof mod.restorable !== "boolean") {
    throw new AppLoadError(`app ${mainFile}: export restorable must be true or false`);
  }
  if (mod.restore !== undefined && typeof mod.restore !== "function") {
    throw new AppLoadError(`app ${mainFile}: export restore must be a function (doc, ctx) => void`);
  }
  if (mod.restorable !== true) return null;
  return { restore: (mod.restore as RestoreHandler | undefined) ?? null };
}
