import { documentContext } from "./doc-context.ts";
import type { Document } from "./document.ts";
import { DocumentError } from "./errors.ts";

/**
 * The current document, as Python's `curdoc()`: set while an app's module body runs inside `runWithDocument`, and
 * while the document runs its callbacks (timers, on_change, on_event). Throws outside of those, rather than
 * silently creating a document that no session would ever show.
 */
export function curdoc(): Document {
  const doc = documentContext.getStore();
  if (doc === undefined) {
    throw new DocumentError(
      "no_current_document",
      "curdoc() was called outside a session: call it from the app's code or from a document callback, not at import time of a shared module",
    );
  }
  return doc as Document;
}

/** Runs `fn` with `doc` as the current document (also for everything `fn` awaits) and returns its result. */
export function runWithDocument<T>(doc: Document, fn: () => T): T {
  return documentContext.run(doc, fn);
}
