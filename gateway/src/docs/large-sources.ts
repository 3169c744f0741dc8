import { Model, isTypedArray, type Document } from "../../../shared/index.ts";
import {
  columnExtent, computeView, gatherColumn, isSortedAscending, type ColumnExtent, type GatherableColumn, type View, type Viewport,
} from "../../../shared/downsample/index.ts";
import { AggregateRenderer } from "../../../shared/models/aggregate-renderer.ts";
import { fixAutoRange, readViewport } from "../../../shared/models/plot-viewport.ts";

/** Scatters: the raw points are sent while at most this many are visible, else an image of counts per pixel. */
const MAX_POINTS = 5000;
const LINE_GLYPHS = new Set(["Line", "Step"]);

/**
 * A ColumnDataSource of a published document with more rows than the threshold. The live document keeps only a
 * view of it (what the plot shows by default); the full columns stay here, once per gateway process however many
 * viewers there are, and each viewer gets the view of what it shows (see `ViewerViews`).
 */
export interface LargeSource {
  /** The ColumnDataSource in the live document (its `data` is the default view). */
  readonly source: Model;
  /** The one plot that draws it. */
  readonly plot: Model;
  readonly mode: "line" | "scatter";
  /** Every full column, as stored (typed arrays stay typed). */
  readonly full: ReadonlyMap<string, GatherableColumn>;
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  readonly xExtent: ColumnExtent;
  readonly yExtent: ColumnExtent;
  /** Scatters: the image of counts drawn under the points (added to the live document's plot). */
  readonly aggregate: AggregateRenderer | null;
  /** What the live document shows by default: "points" or "image". */
  readonly defaultKind: View["kind"];
}

/** A glyph's field name for `attr` ("x" or `{field: "x"}`), or null for a value or an expression. */
function fieldOf(glyph: unknown, attr: string): string | null {
  const spec = glyph instanceof Model ? glyph.get<unknown>(attr) : undefined;
  if (typeof spec === "string") return spec;
  const tagged = spec as { type?: unknown; field?: unknown } | null | undefined;
  return tagged !== null && typeof tagged === "object" && typeof tagged.field === "string" && tagged.type !== "value" ? tagged.field : null;
}

/** True when `value` holds `target` directly (in a list, object or map; not inside other models). */
function holds(value: unknown, target: Model): boolean {
  if (value === target) return true;
  if (value instanceof Model || value === null || typeof value !== "object" || isTypedArray(value)) return false;
  if (Array.isArray(value)) return value.some((v) => holds(v, target));
  if (value instanceof Map) return [...value.values()].some((v) => holds(v, target));
  return Object.values(value).some((v) => holds(v, target));
}

const numeric = (column: GatherableColumn | undefined): column is GatherableColumn =>
  column !== undefined && (isTypedArray(column) || column.length === 0 || typeof column[0] === "number");

/** Plain lists of numbers become Float64Arrays once (NaN for holes), so every view reads typed columns. */
const asNumbers = (column: GatherableColumn): ArrayLike<number> =>
  isTypedArray(column) ? (column as ArrayLike<number>) : Float64Array.from(column as ArrayLike<unknown>, (v) => (typeof v === "number" ? v : NaN));

/**
 * What a large source needs to be downsampled, or null when it cannot be (it is then sent whole, as before): drawn
 * by glyphs of one plot only and referenced by nothing else (a DataTable, a CustomJS), x/y fields naming numeric
 * columns of equal length, and a line's x sorted ascending.
 */
function describe(doc: Document, source: Model, thresholdRows: number): Omit<LargeSource, "aggregate" | "defaultKind"> | null {
  const data = source.get<unknown>("data");
  if (!(data instanceof Map) || data.size === 0) return null;
  const full = new Map<string, GatherableColumn>();
  let rows = -1;
  for (const [name, column] of data as Map<string, unknown>) {
    if (!Array.isArray(column) && !isTypedArray(column)) return null;
    const c = column as GatherableColumn;
    if (rows >= 0 && c.length !== rows) return null;
    rows = c.length;
    full.set(name, c);
  }
  if (rows < thresholdRows) return null;
  const referrers = [...doc.models.values()].filter((m) => m !== source && [...m.attributes.values()].some((v) => holds(v, source)));
  if (referrers.length === 0 || referrers.some((m) => m.type !== "GlyphRenderer")) return null;
  const plots = [...doc.models.values()].filter((m) => {
    const list = m.get<unknown>("renderers");
    return Array.isArray(list) && list.some((r) => referrers.includes(r as Model));
  });
  if (plots.length !== 1) return null;
  const glyph = referrers[0].get<unknown>("glyph");
  const [xName, yName] = [fieldOf(glyph, "x"), fieldOf(glyph, "y")];
  if (xName === null || yName === null || !numeric(full.get(xName)) || !numeric(full.get(yName))) return null;
  const x = asNumbers(full.get(xName)!);
  const y = asNumbers(full.get(yName)!);
  const isLine = glyph instanceof Model && LINE_GLYPHS.has(glyph.type);
  if (isLine && !isSortedAscending(x)) return null;
  return { source, plot: plots[0], mode: isLine ? "line" : "scatter", full, x, y, xExtent: columnExtent(x), yExtent: columnExtent(y) };
}

/** The columns a view of `large` sends: every full column at the view's indices (none for an image). */
export function viewColumns(large: Pick<LargeSource, "full">, indices: Int32Array): Map<string, unknown> {
  return new Map([...large.full].map(([name, column]) => [name, gatherColumn(column, indices)]));
}

/** The view of `large` for `viewport`: at most ~2 points per pixel column (lines), the points or an image (scatters). */
export function largeView(large: LargeSource, viewport: Viewport): View {
  return computeView(large.x, large.y, viewport, { mode: large.mode, maxPoints: MAX_POINTS, binSize: 1 });
}

/**
 * Finds the ColumnDataSources of `doc` with at least `thresholdRows` rows that can be downsampled, and turns the
 * live document into their default view: each keeps the view of its plot's initial ranges and size in `data`, a
 * scatter gets an aggregate image under its points (with a hover tool reporting a bin's count and range), auto
 * ranges on followed axes become fixed ranges over the data (else BokehJS would re-fit them to every view), and
 * BokehJS's level-of-detail decimation is turned off on those plots. Call it before anyone pulls `doc`. The store
 * keeps the document as published, full columns included; nothing here is stored.
 */
export function prepareLargeSources(doc: Document, thresholdRows: number): LargeSource[] {
  if (!(thresholdRows > 0)) return [];
  const found: LargeSource[] = [];
  for (const model of [...doc.models.values()]) {
    if (model.type !== "ColumnDataSource") continue;
    const d = describe(doc, model, thresholdRows);
    if (d === null) continue;
    const { plot } = d;
    if (!plot.has("lod_threshold")) plot.set("lod_threshold", null);
    fixAutoRange(plot, "x_range", d.xExtent);
    if (d.mode === "scatter") fixAutoRange(plot, "y_range", d.yExtent);
    const view = largeView({ ...d, aggregate: null, defaultKind: "points" }, readViewport(plot, d.xExtent, d.yExtent));
    let aggregate: AggregateRenderer | null = null;
    if (d.mode === "scatter") {
      aggregate = new AggregateRenderer("Viridis256");
      const list = plot.get<Model[]>("renderers");
      const at = list.findIndex((r) => r.get("data_source") === model);
      plot.set("renderers", [...list.slice(0, at), aggregate.renderer, ...list.slice(at)]);
      const toolbar = plot.get<unknown>("toolbar");
      if (toolbar instanceof Model) toolbar.set("tools", [...(toolbar.get<Model[] | undefined>("tools") ?? []), aggregate.hover]);
    }
    if (view.kind === "image") aggregate?.show(view.image);
    model.set("data", viewColumns(d, view.kind === "points" ? view.indices : new Int32Array(0)));
    found.push({ ...d, aggregate, defaultKind: view.kind });
  }
  return found;
}
