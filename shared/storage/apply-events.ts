import { DocumentError, serializeEvents, type Document, type DocumentChangedEvent } from "../document/index.ts";
import { PlothostError } from "../errors/catalogue.ts";

/** The setter the store's own changes carry (nobody listens on stored documents but the store itself). */
const STORE = Symbol("document-store");

/**
 * Applies a PATCH-DOC batch to a live document through `Document.apply_json_patch` (the same decoding, checks and
 * column rules as a session) and returns the resulting changes re-serialized as Bokeh writes them. Why re-serialize
 * instead of storing what the caller sent: the result is canonical (buffers inlined, models new to a receiver written
 * in full, no-op sets and UI-only events dropped), so log replays and viewers get exactly what Bokeh would send.
 *
 * Malformed events throw a 400 `bad_request` before anything changes. An event that only fails when applied (a
 * stream that does not fit the columns) also throws `bad_request`, but may leave earlier events of the batch
 * applied to `doc`: the caller must then drop `doc` and reload the stored state.
 */
export async function applyEventsTo(
  doc: Document,
  events: unknown[],
  buffers?: ReadonlyMap<string, Uint8Array>,
): Promise<unknown[]> {
  if (!Array.isArray(events)) throw new PlothostError("bad_request", "events must be a list of PATCH-DOC events");
  const changes: DocumentChangedEvent[] = [];
  const off = doc.on_change((event) => void changes.push(event));
  try {
    await doc.apply_json_patch({ events }, buffers, STORE);
  } catch (err) {
    if (err instanceof DocumentError) throw new PlothostError("bad_request", `events: ${err.message}`, { cause: err });
    throw err;
  } finally {
    off();
  }
  // MessageSent is a message for connected clients, not document state: there is nobody to send it to here.
  const stateChanges = changes.filter((event) => event.kind !== "MessageSent");
  return stateChanges.length === 0 ? [] : serializeEvents(stateChanges, doc).json.events;
}

/** Replays stored (canonical) events onto a document being loaded. */
export async function replayEvents(doc: Document, events: unknown[]): Promise<void> {
  await doc.apply_json_patch({ events }, undefined, STORE);
}
