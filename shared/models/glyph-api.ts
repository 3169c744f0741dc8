import { DocumentError, Model, isTypedArray } from "../document/index.ts";
import { ColumnDataSource, type ColumnsInit } from "./column-data-source.ts";

/** What a glyph method accepts for a data spec: a column name, a constant, a column of values, or a tagged spec. */
export type SpecInput = string | number | null | readonly unknown[] | Float64Array | Float32Array | Int32Array | { type: string };

/** Options common to `line` and `scatter`, Python's keyword arguments. Other visual options (`hatch_pattern`, `nonselection_alpha`, ...) pass through the same cascade. */
export interface GlyphOptions {
  x: SpecInput;
  y: SpecInput;
  /** A data source, or columns to wrap in a new one. Without it, list values create columns in a new source. */
  source?: Model | ColumnsInit;
  name?: string;
  legend_label?: string;
  legend_field?: string;
  x_range_name?: string;
  y_range_name?: string;
  level?: string;
  visible?: boolean;
  muted?: boolean;
  color?: SpecInput;
  alpha?: SpecInput;
  line_color?: SpecInput;
  line_alpha?: SpecInput;
  line_width?: SpecInput;
  line_dash?: string | readonly number[];
  [option: string]: unknown;
}

/** How one glyph type is described to the cascade: its visual properties with Bokeh defaults, and its other specs. */
export interface GlyphType {
  name: string;
  /** Visual properties in declaration order, with Bokeh's defaults (values equal to them are not written). */
  visuals: Readonly<Record<string, unknown>>;
  /** True when visuals are data specs (`{type: "value"}`), false for scalar properties (Line). */
  vectorVisuals: boolean;
  /** Non-visual data specs besides x and y, with Bokeh's defaults. */
  args: Readonly<Record<string, unknown>>;
}

const LINE_VISUALS = { line_color: "black", line_alpha: 1, line_width: 1, line_join: "bevel", line_cap: "butt", line_dash: [], line_dash_offset: 0 };

export const LINE: GlyphType = { name: "Line", visuals: LINE_VISUALS, vectorVisuals: false, args: {} };

export const SCATTER: GlyphType = {
  name: "Scatter",
  visuals: {
    ...LINE_VISUALS,
    fill_color: "gray",
    fill_alpha: 1,
    hatch_color: "black",
    hatch_alpha: 1,
    hatch_scale: 12,
    hatch_pattern: null,
    hatch_weight: 1,
  },
  vectorVisuals: true,
  args: { size: 4, angle: 0, marker: "circle" },
};

const MARKERS = new Set(
  "asterisk circle circle_cross circle_dot circle_x circle_y cross dash diamond diamond_cross diamond_dot dot hex hex_dot inverted_triangle plus square square_cross square_dot square_pin square_x star star_dot triangle triangle_dot triangle_pin x y".split(
    " ",
  ),
);
const RENDERER_ARGS = ["name", "x_range_name", "y_range_name", "level", "visible", "muted"];
const DEFAULT_COLOR = "#1f77b4";
const NOT_SPEC_LITERALS = new Set(["line_dash", "line_join", "line_cap", "hatch_pattern"]);

function trait(name: string): string {
  return name.slice(name.indexOf("_") + 1);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  return Object.is(a, b);
}

/** Python's `pop_visuals`: the visual values for one glyph (main, nonselection_, muted_, ...) of the cascade. */
function popVisuals(
  glyph: GlyphType,
  props: Record<string, unknown>,
  prefix: string,
  defaults: Record<string, unknown> = {},
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const fallback: Record<string, unknown> = { text_color: "black", hatch_color: "black", ...defaults };
  const traitDefaults: Record<string, unknown> = { color: DEFAULT_COLOR, alpha: 1.0 };
  const own = new Set(["x", "y", ...Object.keys(glyph.args), ...Object.keys(glyph.visuals)]);
  const result: Record<string, unknown> = {};
  const traits = new Set<string>();
  for (const name of Object.keys(glyph.visuals)) {
    const t = trait(name);
    if (prefix + name in props) {
      result[name] = props[prefix + name];
      delete props[prefix + name];
    } else if (!own.has(t) && prefix + t in props) result[name] = props[prefix + t];
    else if (t in overrides) result[name] = overrides[t];
    else if (name in fallback) result[name] = fallback[name];
    else if (t in traitDefaults) result[name] = traitDefaults[t];
    if (!own.has(t)) traits.add(t);
  }
  for (const t of traits) delete props[prefix + t];
  return result;
}

function isColumnValue(value: unknown): value is readonly unknown[] {
  return Array.isArray(value) || isTypedArray(value);
}

function isColorTuple(value: unknown): boolean {
  return Array.isArray(value) && (value.length === 3 || value.length === 4) && value.every((v) => typeof v === "number");
}

/** The data spec JSON-side value for one argument: field, value, or a tagged spec passed through. */
function toSpec(key: string, value: unknown, columns: ReadonlySet<string>): unknown {
  if (value !== null && typeof value === "object" && !isColumnValue(value)) return value;
  if (typeof value === "string") {
    if (key === "marker") return MARKERS.has(value) ? { type: "value", value } : { type: "field", field: value };
    if (key.endsWith("_color")) return columns.has(value) ? { type: "field", field: value } : { type: "value", value };
    if (NOT_SPEC_LITERALS.has(key)) return { type: "value", value };
    return { type: "field", field: value };
  }
  return { type: "value", value };
}

class GlyphBuilder {
  readonly columns = new Map<string, unknown>();

  constructor(
    private readonly glyph: GlyphType,
    private readonly userSource: Model | null,
  ) {}

  /** Python's `_process_sequence_literals`: list values become columns of a new source (refused with a user source). */
  literals(values: Record<string, unknown>): void {
    for (const [key, value] of Object.entries(values)) {
      if (!isColumnValue(value) || NOT_SPEC_LITERALS.has(key)) continue;
      if (key.endsWith("_color") && isColorTuple(value)) continue;
      if (!this.glyph.vectorVisuals && key in this.glyph.visuals) continue;
      if (this.userSource !== null) {
        throw new DocumentError(
          "bad_argument",
          `'${key}' is a list but a source was given: put the values in a column of the source and pass its name`,
        );
      }
      this.columns.set(key, value);
      values[key] = key;
    }
  }

  columnNames(): Set<string> {
    const source = this.userSource?.get("data");
    return new Set([...this.columns.keys(), ...(source instanceof Map ? [...source.keys()].map(String) : [])]);
  }

  make(args: Record<string, unknown>, visuals: Record<string, unknown>): Model {
    const names = this.columnNames();
    const attrs: Record<string, unknown> = { x: toSpec("x", args.x, names), y: toSpec("y", args.y, names) };
    for (const [key, fallback] of Object.entries(this.glyph.args)) {
      if (key in args && !sameValue(args[key], fallback)) attrs[key] = toSpec(key, args[key], names);
    }
    for (const [key, fallback] of Object.entries(this.glyph.visuals)) {
      if (!(key in visuals) || sameValue(visuals[key], fallback)) continue;
      attrs[key] = this.glyph.vectorVisuals ? toSpec(key, visuals[key], names) : visuals[key];
    }
    return new Model(this.glyph.name, attrs);
  }
}

function pick(props: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (key in props) {
      if (props[key] !== undefined) out[key] = props[key];
      delete props[key];
    }
  }
  return out;
}

function findLegend(plot: Model): Model | null {
  const panels = ["above", "below", "left", "right", "center"].flatMap((side) => plot.get<Model[] | undefined>(side) ?? []);
  const legends = panels.filter((m) => m instanceof Model && m.type === "Legend");
  if (legends.length > 1) throw new DocumentError("bad_argument", "the plot has several legends; add legend items yourself");
  return legends[0] ?? null;
}

function updateLegend(plot: Model, label: { type: string; [k: string]: unknown }, renderer: Model): void {
  const legend = findLegend(plot);
  const key = JSON.stringify(label);
  if (legend === null) {
    const item = new Model("LegendItem", { label, renderers: [renderer] });
    plot.set("center", [...(plot.get<Model[] | undefined>("center") ?? []), new Model("Legend", { items: [item] })]);
    return;
  }
  const items = legend.get<Model[] | undefined>("items") ?? [];
  const item = items.find((it) => JSON.stringify(it.get("label")) === key);
  if (item !== undefined) item.set("renderers", [...(item.get<Model[] | undefined>("renderers") ?? []), renderer]);
  else legend.set("items", [...items, new Model("LegendItem", { label, renderers: [renderer] })]);
}

/**
 * Python's `create_renderer`: a GlyphRenderer with glyph, nonselection_glyph (alpha 0.1), muted_glyph (alpha 0.2)
 * and, when `selection_*` / `hover_*` options are given, selection/hover glyphs; appended to `plot.renderers`,
 * with a legend entry for `legend_label` / `legend_field`. Values equal to Bokeh's defaults are left out, as Python
 * does. `legend_group` is not supported.
 */
export function createRenderer(plot: Model, glyph: GlyphType, options: GlyphOptions): Model {
  const props: Record<string, unknown> = { ...options };
  const rawSource = props.source;
  delete props.source;
  const userSource =
    rawSource === undefined ? null : rawSource instanceof Model ? rawSource : new ColumnDataSource({ data: rawSource as ColumnsInit });
  const legend = pick(props, ["legend_label", "legend_field", "legend_group"]);
  if (Object.keys(legend).length > 1) throw new DocumentError("bad_argument", "give only one of legend_label and legend_field");
  if ("legend_group" in legend) throw new DocumentError("bad_argument", "legend_group is not supported; use legend_label or legend_field");
  const rendererArgs = pick(props, RENDERER_ARGS);

  const builder = new GlyphBuilder(glyph, userSource);
  const mainVisuals = popVisuals(glyph, props, "");
  const args = pick(props, ["x", "y", ...Object.keys(glyph.args)]);
  builder.literals(args);
  builder.literals(mainVisuals);
  const nonselection = popVisuals(glyph, props, "nonselection_", mainVisuals, { alpha: 0.1 });
  const hasPrefix = (p: string): boolean => Object.keys(props).some((k) => k.startsWith(p));
  const selection = hasPrefix("selection_") ? popVisuals(glyph, props, "selection_", mainVisuals) : null;
  const hover = hasPrefix("hover_") ? popVisuals(glyph, props, "hover_", mainVisuals) : null;
  const muted = popVisuals(glyph, props, "muted_", mainVisuals, { alpha: 0.2 });
  const unknown = Object.keys(props).filter((k) => props[k] !== undefined);
  if (unknown.length > 0) throw new DocumentError("bad_argument", `${glyph.name} has no option(s) ${unknown.join(", ")}`);

  const source = userSource ?? new ColumnDataSource({ data: builder.columns as ColumnsInit });
  const attrs: Record<string, unknown> = {
    ...("name" in rendererArgs ? { name: rendererArgs.name } : {}),
    data_source: source,
    view: new Model("CDSView", { filter: new Model("AllIndices") }),
    glyph: builder.make(args, mainVisuals),
    nonselection_glyph: builder.make(args, nonselection),
  };
  if (selection !== null) attrs.selection_glyph = builder.make(args, selection);
  if (hover !== null) attrs.hover_glyph = builder.make(args, hover);
  attrs.muted_glyph = builder.make(args, muted);
  const renderer = new Model("GlyphRenderer", { ...attrs, ...rendererArgs });
  plot.set("renderers", [...(plot.get<Model[] | undefined>("renderers") ?? []), renderer]);
  if (typeof legend.legend_label === "string") updateLegend(plot, { type: "value", value: legend.legend_label }, renderer);
  if (typeof legend.legend_field === "string") updateLegend(plot, { type: "field", field: legend.legend_field }, renderer);
  return renderer;
}
