/**
 * Which incoming patch events describe one viewer's view rather than the shared document. BokehJS sends them on
 * its own (layout sizes after render, data-range bounds, pan and zoom) and for a published document they must not
 * be persisted or broadcast: every viewer zooms on their own. `document_ready` and other UI events are view-local
 * too (a published document has no server callbacks).
 */
const LAYOUT_ATTRS = new Set(["inner_width", "inner_height", "outer_width", "outer_height"]);
const RANGE_ATTRS = new Set(["start", "end", "bounds", "factors_range"]);

interface EventLike {
  kind?: unknown;
  attr?: unknown;
  model?: { id?: unknown } | null;
  msg_type?: unknown;
}

/** `rangeIds`: ids of the document's range models (DataRange1d, Range1d, FactorRange...). */
export function isViewLocal(event: unknown, rangeIds: ReadonlySet<string>): boolean {
  const e = event as EventLike;
  if (e?.kind === "MessageSent") return e.msg_type === "bokeh_event";
  if (e?.kind !== "ModelChanged" || typeof e.attr !== "string") return false;
  if (LAYOUT_ATTRS.has(e.attr)) return true;
  return RANGE_ATTRS.has(e.attr) && typeof e.model?.id === "string" && rangeIds.has(e.model.id);
}
