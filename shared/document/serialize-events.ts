import type { ColumnPatches } from "./column-data.ts";
import type { Document } from "./document.ts";
import { eventEpoch, type DocumentChangedEvent } from "./events.ts";
import type { Model } from "./model.ts";
import { Serializer, type Serialized } from "./serializer.ts";

function encodePatches(patches: ColumnPatches, s: Serializer): unknown {
  if (patches.size === 0) return { type: "map" };
  return {
    type: "map",
    entries: [...patches].map(([col, list]) => [col, list.map(([where, value]) => [s.encode(where), s.encode(value)])]),
  };
}

function encodeEvent(event: DocumentChangedEvent, s: Serializer): unknown {
  switch (event.kind) {
    case "ModelChanged":
      return { kind: event.kind, model: s.ref(event.model), attr: event.attr, new: s.encode(event.new) };
    case "ColumnDataChanged":
      return { kind: event.kind, model: s.ref(event.model), attr: event.attr, data: s.encode(event.data), cols: event.cols };
    case "ColumnsStreamed":
      return { kind: event.kind, model: s.ref(event.model), attr: event.attr, data: s.encode(event.data), rollover: event.rollover };
    case "ColumnsPatched":
      return { kind: event.kind, model: s.ref(event.model), attr: event.attr, patches: encodePatches(event.patches, s) };
    case "RootAdded":
      return { kind: event.kind, model: s.encode(event.model) };
    case "RootRemoved":
      return { kind: event.kind, model: s.ref(event.model) };
    case "TitleChanged":
      return { kind: event.kind, title: event.title };
    case "MessageSent":
      return { kind: event.kind, msg_type: event.msg_type, msg_data: s.encode(event.msg_data) };
  }
}

/**
 * PATCH-DOC content for a batch of `doc`'s change events, exactly as Bokeh writes it (PROTOCOL.md §6). Models the
 * receiver cannot know yet (attached to `doc` by the changes in this batch, or the model of a RootAdded) are written
 * in full at their first occurrence, all others as `{"id"}`. "Known" means attached before the first event of the
 * batch was emitted, so a session must serialize every event it did not skip, in order. Typed arrays of at least
 * `threshold` bytes travel as buffers; without `threshold` everything is inline base64.
 */
export function serializeEvents(
  events: readonly DocumentChangedEvent[],
  doc: Document,
  opts: { threshold?: number } = {},
): Serialized<{ events: unknown[] }> {
  const stamps = events.map(eventEpoch).filter((e): e is number => e !== undefined);
  const start = stamps.length > 0 ? Math.min(...stamps) : doc._current_epoch;
  const added = new Set<Model>(events.flatMap((e) => (e.kind === "RootAdded" ? [e.model] : [])));
  const serializer = new Serializer({
    known: (model) => !added.has(model) && doc._known_before(model, start),
    threshold: opts.threshold,
  });
  const json = { events: events.map((event) => encodeEvent(event, serializer)) };
  return { json, buffers: serializer.buffers };
}
