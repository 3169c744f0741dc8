import { DocumentError, Model, curdoc, isTypedArray, type Column, type Document, type ModelOptions } from "../document/index.ts";
import {
  columnExtent, computeView, gatherColumn, isSortedAscending, type GatherableColumn, type LineMethod, type View, type Viewport,
} from "../downsample/index.ts";
import { AggregateRenderer } from "./aggregate-renderer.ts";
import { callable } from "./callable.ts";
import { CoalescingTimer } from "./coalescing-timer.ts";
import { ColumnDataSource, type ColumnsInit } from "./column-data-source.ts";
import type { Palette, PaletteName } from "./palettes.ts";
import { fixAutoRange, followViewport, readViewport, sameViewport } from "./plot-viewport.ts";

/** How a {@link DownsampledSource} thins its data. */
export type DownsampleMode = "auto" | "line" | "scatter";

/** Options of {@link DownsampledSource}. Everything but `data` has a default that suits a plot of millions of points. */
export interface DownsampledSourceInit {
  /**
   * The full columns, kept in the worker and never sent whole. Typed arrays are best (they are not copied, and
   * what is sent of them travels as binary buffers); plain lists work too. Columns built once at module level are
   * shared by every session of the worker. Treat them as immutable: assign `source.data` to change the data.
   */
  data: ColumnsInit;
  name?: string;
  tags?: unknown[];
  /**
   * "line": min-max (or LTTB) per pixel column of the visible x range, about 2 points per pixel of width (x must
   * be sorted ascending). "scatter": the visible points while there are at most `max_points`, else an aggregate
   * image of counts per pixel. "auto" (default): "line" when the first glyph drawn from the source is a Line or Step,
   * "scatter" otherwise.
   */
  mode?: DownsampleMode;
  /** The x and y column names; default: the glyph's `x`/`y` fields, else "x" and "y". */
  x?: string;
  y?: string;
  /** Lines: "minmax" (default: every pixel column's extremes are kept) or "lttb". */
  method?: LineMethod;
  /** Scatters: send the raw points while at most this many are visible (default 5000). */
  max_points?: number;
  /** Scatters: side of an aggregate bin in screen pixels (default 1). */
  bin_size?: number;
  /** Scatters: the aggregate's colour map (default "Viridis256"), applied logarithmically to the counts. */
  palette?: Palette | PaletteName;
  /** Coalescing delay in ms between a view change and the update it causes (default 30). */
  debounce_ms?: number;
  /** Scatters: add a hover tool that reports an aggregate bin's count (default true). */
  hover?: boolean;
}

type Settings = Required<Omit<DownsampledSourceInit, "data" | "name" | "tags" | "x" | "y" | "palette">> & {
  x?: string;
  y?: string;
  palette: Palette | PaletteName;
};

const LINE_GLYPHS = new Set(["Line", "Step"]);

function fieldOf(glyph: unknown, attr: string): string | null {
  const spec = glyph instanceof Model ? glyph.get<unknown>(attr) : undefined;
  if (typeof spec === "string") return spec;
  const tagged = spec as { type?: unknown; field?: unknown } | null | undefined;
  return tagged !== null && typeof tagged === "object" && tagged.type === "field" ? String(tagged.field) : null;
}

function toFullColumns(data: ColumnsInit): Map<string, GatherableColumn> {
  const entries = data instanceof Map ? [...data.entries()] : Object.entries(data);
  const columns = new Map<string, GatherableColumn>();
  let length: number | null = null;
  for (const [name, column] of entries) {
    if (!Array.isArray(column) && !isTypedArray(column)) {
      throw new DocumentError("bad_columns", `column '${name}' of a DownsampledSource must be a list or a 1-D typed array`);
    }
    if (length !== null && column.length !== length) {
      throw new DocumentError(
        "bad_columns",
        `the columns of a DownsampledSource must have the same length ('${name}' has ${column.length}, not ${length})`,
      );
    }
    length = column.length;
    columns.set(name, column);
  }
  return columns;
}

/** Refuses columns a view cannot be made of: `x`/`y` missing or not numbers, or a line's `x` not sorted. */
function checkColumns(full: ReadonlyMap<string, GatherableColumn>, mode: "line" | "scatter", x: string, y: string): void {
  for (const name of [x, y]) {
    const column = full.get(name);
    if (column === undefined) {
      throw new DocumentError("bad_columns", `the DownsampledSource has no column '${name}' (columns: ${[...full.keys()].join(", ")})`);
    }
    if (column.length > 0 && typeof column[0] !== "number") {
      throw new DocumentError("bad_columns", `column '${name}' of a DownsampledSource must hold numbers`);
    }
  }
  if (mode === "line" && !isSortedAscending(full.get(x) as ArrayLike<number>)) {
    throw new DocumentError(
      "bad_columns",
      `a downsampled line needs column '${x}' sorted ascending (without NaN): sort the data, or pass mode: "scatter"`,
    );
  }
}

/** Where the source is drawn: its plot, the renderers that draw it there, and what follows the plot's view. */
interface Binding {
  readonly plot: Model;
  readonly mode: "line" | "scatter";
  readonly x: string;
  readonly y: string;
  readonly aggregate: AggregateRenderer | null;
  readonly timer: CoalescingTimer;
  last: Viewport | null;
}

/**
 * A ColumnDataSource for very large data: it holds the full columns in the worker and sends the browser only what
 * the plot's current view needs, so a 10-million-point line or scatter stays instant. Draw from it like from any
 * source (`p.line({x: "t", y: "v", source})`); when its plot joins the document it follows the plot's ranges and
 * frame size (the changes BokehJS sends on pan, zoom and resize), coalesced, keeping the previous view on screen
 * until the new one arrives:
 *
 * - lines: min-max per pixel column of the visible x range (or LTTB), at most `2 · inner_width + 2` points;
 * - scatters: the visible points while there are at most `max_points`, else an image of counts per pixel
 *   (an Image glyph added to the plot under the scatter, with a hover tool reporting the bin's count).
 *
 * To make following work, an auto-ranging DataRange1d on a followed axis is replaced by a Range1d over the data
 * (a line follows x only, so its y range keeps fitting the visible data), and BokehJS's level-of-detail
 * decimation while panning is turned off (`lod_threshold: null`) unless the plot sets it. `data` gets and sets
 * the full columns; `view_data` is what the browser has, and the indices of a selection refer to it. Create it
 * inside the app function (it attaches to `curdoc()`), one per plot. Deliberately left out: `stream`/`patch`
 * (assign `data`), several plots per source, log axes for the aggregate, NaN gaps in downsampled lines.
 */
class DownsampledSourceModel extends ColumnDataSource {
  private full: Map<string, GatherableColumn>;
  private readonly settings: Settings;
  private binding: Binding | null = null;
  private stopWatching: (() => void) | null = null;
  private lastKind: View["kind"] | null = null;
  /** True while the browser's copy of the points is empty (an image is shown, or nothing yet). */
  private pointsEmpty = true;

  constructor(init: DownsampledSourceInit, opts: ModelOptions = {}) {
    const { data, name, tags, ...rest } = init;
    const full = toFullColumns(data);
    super({ name, tags, data: DownsampledSourceModel.emptyView(full) }, opts);
    this.full = full;
    this.settings = {
      mode: rest.mode ?? "auto",
      method: rest.method ?? "minmax",
      max_points: rest.max_points ?? 5000,
      bin_size: rest.bin_size ?? 1,
      palette: rest.palette ?? "Viridis256",
      debounce_ms: rest.debounce_ms ?? 30,
      hover: rest.hover ?? true,
      x: rest.x,
      y: rest.y,
    };
    let doc: Document;
    try {
      doc = curdoc();
    } catch {
      throw new DocumentError(
        "no_current_document",
        "create a DownsampledSource inside the app function (or a document callback): it follows the plot of its session's document",
      );
    }
    this.stopWatching = doc.on_attach(() => this.findPlot(doc));
  }

  /** The full columns (the arrays given, not copies). */
  override get data(): Record<string, Column> {
    return Object.fromEntries(this.full) as Record<string, Column>;
  }

  /** Replaces the full columns and sends the current view of them. */
  override set data(value: ColumnsInit) {
    const full = toFullColumns(value);
    if (this.binding !== null) checkColumns(full, this.binding.mode, this.binding.x, this.binding.y);
    this.full = full;
    if (this.binding !== null) {
      this.update(true);
      return;
    }
    super.set("data", DownsampledSourceModel.emptyView(this.full));
    this.pointsEmpty = true;
  }

  /** The columns the browser has: the current view. */
  get view_data(): Record<string, Column> {
    return Object.fromEntries(this.get<Map<string, Column>>("data")) as Record<string, Column>;
  }

  /** The plot this source follows, once it has joined the document with it. */
  get plot(): Model | null {
    return this.binding?.plot ?? null;
  }

  /** The aggregate image's renderer (scatters only, once bound). */
  get aggregate_renderer(): Model | null {
    return this.binding?.aggregate?.renderer ?? null;
  }

  /** What the last update found: "points" or "image" (null before the first). */
  get view_kind(): View["kind"] | null {
    return this.lastKind;
  }

  override stream(..._args: Parameters<ColumnDataSource["stream"]>): void {
    throw new DocumentError("bad_argument", "a DownsampledSource does not stream: assign source.data = {...} with the new full columns");
  }

  override patch(..._args: Parameters<ColumnDataSource["patch"]>): void {
    throw new DocumentError("bad_argument", "a DownsampledSource cannot be patched: assign source.data = {...} with the new full columns");
  }

  private static emptyView(full: Map<string, GatherableColumn>): Map<string, Column> {
    return DownsampledSourceModel.gathered(full, new Int32Array(0));
  }

  /** Every full column at `indices` (typed columns stay typed). */
  private static gathered(full: Map<string, GatherableColumn>, indices: Int32Array): Map<string, Column> {
    return new Map([...full].map(([name, column]) => [name, gatherColumn(column, indices) as Column]));
  }

  /**
   * On every attach until bound: finds the plot that draws this source and binds to it once the change that
   * attached them is complete. Problems (columns, several plots) are reported once, to the document's error handler.
   */
  private findPlot(doc: Document): void {
    if (this.binding !== null || this.document !== doc) return;
    const drawsThis = (m: unknown): m is Model => m instanceof Model && m.type === "GlyphRenderer" && m.get("data_source") === this;
    const plots = [...doc.models.values()].filter((m) => {
      const list = m.get<unknown>("renderers");
      return Array.isArray(list) && list.some(drawsThis);
    });
    if (plots.length === 0) return;
    this.stopWatching?.();
    this.stopWatching = null;
    const plot = plots[0];
    const renderers = plot.get<unknown[]>("renderers").filter(drawsThis);
    const glyph = renderers[0].get("glyph");
    const mode = this.settings.mode !== "auto" ? this.settings.mode : glyph instanceof Model && LINE_GLYPHS.has(glyph.type) ? "line" : "scatter";
    const x = this.settings.x ?? fieldOf(glyph, "x") ?? "x";
    const y = this.settings.y ?? fieldOf(glyph, "y") ?? "y";
    checkColumns(this.full, mode, x, y);
    const binding: Binding = {
      plot, mode, x, y, last: null,
      aggregate: mode === "scatter" ? new AggregateRenderer(this.settings.palette) : null,
      timer: new CoalescingTimer(doc, this.settings.debounce_ms, () => this.update(false)),
    };
    this.binding = binding;
    // Changing models inside an attach would announce them before the change that attached them: wait for it.
    queueMicrotask(() => doc._invoke("DownsampledSource binding", () => this.bind(binding, renderers)));
    if (plots.length > 1) {
      throw new DocumentError(
        "bad_argument",
        "a DownsampledSource follows one plot: give each plot its own DownsampledSource over the same columns (they are not copied)",
      );
    }
  }

  private bind(binding: Binding, renderers: Model[]): void {
    const { plot, aggregate } = binding;
    // The view is already thinned to the pixels: BokehJS's own level-of-detail decimation (above 2000 points by
    // default) would draw every 10th of them in grey while panning.
    if (!plot.has("lod_threshold")) plot.set("lod_threshold", null);
    fixAutoRange(plot, "x_range", columnExtent(this.full.get(binding.x) as ArrayLike<number>));
    if (binding.mode === "scatter") fixAutoRange(plot, "y_range", columnExtent(this.full.get(binding.y) as ArrayLike<number>));
    if (aggregate !== null) {
      const list = plot.get<Model[]>("renderers");
      const at = Math.min(...renderers.map((r) => list.indexOf(r)).filter((i) => i >= 0));
      plot.set("renderers", [...list.slice(0, at), aggregate.renderer, ...list.slice(at)]);
      const toolbar = plot.get<unknown>("toolbar");
      if (this.settings.hover && toolbar instanceof Model) {
        toolbar.set("tools", [...(toolbar.get<Model[] | undefined>("tools") ?? []), aggregate.hover]);
      }
    }
    followViewport(plot, { x: true, y: binding.mode === "scatter" }, () => binding.timer.request());
    this.update(true);
  }

  /** Recomputes the view for the plot's current viewport and sends it, unless the viewport is unchanged. */
  private update(force: boolean): void {
    const binding = this.binding;
    if (binding === null) return;
    const xs = this.full.get(binding.x) as ArrayLike<number>;
    const ys = this.full.get(binding.y) as ArrayLike<number>;
    const viewport = readViewport(binding.plot, columnExtent(xs), columnExtent(ys));
    if (!force && sameViewport(binding.last, viewport)) return;
    binding.last = viewport;
    const view = computeView(xs, ys, viewport, {
      mode: binding.mode, method: this.settings.method, maxPoints: this.settings.max_points, binSize: this.settings.bin_size,
    });
    this.lastKind = view.kind;
    if (view.kind === "image") {
      // The new view first, then the old one away: never a moment with neither.
      binding.aggregate?.show(view.image);
      if (!this.pointsEmpty) super.set("data", DownsampledSourceModel.emptyView(this.full));
      this.pointsEmpty = true;
      return;
    }
    super.set("data", DownsampledSourceModel.gathered(this.full, view.indices));
    this.pointsEmpty = view.indices.length === 0;
    binding.aggregate?.clear();
  }
}

/** `new DownsampledSource({data, ...})` or `DownsampledSource({...})`: see {@link DownsampledSourceModel}. */
export const DownsampledSource = callable(DownsampledSourceModel);
export type DownsampledSource = DownsampledSourceModel;
