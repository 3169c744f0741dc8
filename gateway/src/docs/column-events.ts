import type { Document, Model } from "../../../shared/index.ts";
import { PlothostError } from "../../../shared/errors/catalogue.ts";

/** The ColumnDataSource a request names by `source` (its name or id). */
function sourceOf(doc: Document, source: unknown): Model {
  if (typeof source !== "string" || source === "") throw new PlothostError("bad_request", "`source` must name a ColumnDataSource (its name or id)");
  const model = doc.get_model_by_id(source) ?? doc.get_model_by_name(source);
  if (!model || model.type !== "ColumnDataSource") {
    throw new PlothostError("bad_request", `no ColumnDataSource named or with id "${source}" in this document`);
  }
  return model;
}

const columnNames = (model: Model): Set<string> => {
  const data = model.get<unknown>("data");
  return new Set(data instanceof Map ? [...data.keys()] : Object.keys((data ?? {}) as object));
};

/**
 * `POST /docs/:id/stream` body `{source, data: {col: [values...]}, rollover?}` → a Bokeh `ColumnsStreamed` event.
 * Every column of the source must be given, all of the same length, as Bokeh requires.
 */
export function columnsStreamedEvent(doc: Document, body: unknown): unknown {
  const b = (body ?? {}) as { source?: unknown; data?: unknown; rollover?: unknown };
  const model = sourceOf(doc, b.source);
  if (!b.data || typeof b.data !== "object" || Array.isArray(b.data)) throw new PlothostError("bad_request", "`data` must be an object of columns: {x: [...], y: [...]}");
  const entries = Object.entries(b.data as Record<string, unknown>);
  const lengths = new Set(entries.map(([, v]) => (Array.isArray(v) ? v.length : -1)));
  if (lengths.has(-1)) throw new PlothostError("bad_request", "every column in `data` must be an array");
  if (lengths.size > 1) throw new PlothostError("bad_request", "all streamed columns must have the same length");
  const expected = columnNames(model);
  const given = new Set(entries.map(([k]) => k));
  const missing = [...expected].filter((c) => !given.has(c));
  const extra = [...given].filter((c) => !expected.has(c));
  if (missing.length || extra.length) {
    throw new PlothostError("bad_request", `stream every column of the source and only those (missing: ${missing.join(", ") || "none"}; unknown: ${extra.join(", ") || "none"})`);
  }
  if (b.rollover !== undefined && b.rollover !== null && !(Number.isInteger(b.rollover) && (b.rollover as number) > 0)) {
    throw new PlothostError("bad_request", "`rollover` must be a positive integer");
  }
  return { kind: "ColumnsStreamed", model: { id: model.id }, attr: "data", data: { type: "map", entries }, rollover: b.rollover ?? null };
}

type Index = number | { start?: number | null; stop?: number | null; step?: number | null };

/**
 * `POST /docs/:id/patch` body `{source, patches: {col: [[index, value], [{start, stop, step}, [values]]]}}` →
 * a Bokeh `ColumnsPatched` event.
 */
export function columnsPatchedEvent(doc: Document, body: unknown): unknown {
  const b = (body ?? {}) as { source?: unknown; patches?: unknown };
  const model = sourceOf(doc, b.source);
  if (!b.patches || typeof b.patches !== "object" || Array.isArray(b.patches)) {
    throw new PlothostError("bad_request", "`patches` must be {column: [[index, value], ...]}");
  }
  const columns = columnNames(model);
  const entries = Object.entries(b.patches as Record<string, unknown>).map(([col, list]) => {
    if (!columns.has(col)) throw new PlothostError("bad_request", `the source has no column "${col}"`);
    if (!Array.isArray(list)) throw new PlothostError("bad_request", `patches for "${col}" must be a list of [index, value] pairs`);
    return [col, list.map((pair) => {
      if (!Array.isArray(pair) || pair.length !== 2) throw new PlothostError("bad_request", `each patch for "${col}" must be [index, value]`);
      const [index, value] = pair as [Index, unknown];
      if (typeof index === "number" && Number.isInteger(index) && index >= 0) return [index, value];
      if (index && typeof index === "object" && Array.isArray(value)) {
        return [{ type: "slice", start: index.start ?? null, stop: index.stop ?? null, step: index.step ?? null }, value];
      }
      throw new PlothostError("bad_request", `a patch index for "${col}" must be a non-negative integer or {start, stop, step} with a list of values`);
    })];
  });
  return { kind: "ColumnsPatched", model: { id: model.id }, attr: "data", patches: { type: "map", entries } };
}
