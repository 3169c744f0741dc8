import { DocumentError, Model } from "../document/index.ts";
import { ColumnDataSource, type ColumnsInit } from "./column-data-source.ts";
import { REQUIRED, type GlyphType, type PropDef } from "./glyph-types.ts";
import { CDSView, GlyphRenderer, Legend, LegendItem } from "./renderers.ts";
import { isColorTuple, isColumnValues, toSpec } from "./specs.ts";

const RENDERER_ARGS = ["name", "x_range_name", "y_range_name", "level", "view", "visible", "muted", "coordinates"];
const DEFAULT_COLOR = "#1f77b4";
const VISUAL_FEATURES = new Set(["line", "fill", "hatch", "text", "global"]);

/** A glyph method's extra step on each glyph's arguments (e.g. Image's `palette` becomes a `color_mapper`). */
export type GlyphHook = (args: Record<string, unknown>) => void;

function trait(name: string): string {
  return name.slice(name.indexOf("_") + 1);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a !== null && b !== null && typeof a === "object" && typeof b === "object") return JSON.stringify(a) === JSON.stringify(b);
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
  const own = new Set([...Object.keys(glyph.args), ...Object.keys(glyph.visuals)]);
  const result: Record<string, unknown> = {};
  const traits = new Set<string>();
  for (const name of Object.keys(glyph.visuals)) {
    if (!VISUAL_FEATURES.has(name.slice(0, name.indexOf("_")))) continue;
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

class GlyphBuilder {
  readonly columns = new Map<string, unknown>();

  constructor(
    private readonly glyph: GlyphType,
    private readonly userSource: Model | null,
  ) {}

  private def(key: string): PropDef | undefined {
    return this.glyph.args[key] ?? this.glyph.visuals[key];
  }

  /** Python's `_process_sequence_literals`: list values of data specs become columns of a new source. */
  literals(values: Record<string, unknown>): void {
    for (const [key, v] of Object.entries(values)) {
      const def = this.def(key);
      if (def === undefined || def.kind === "plain" || def.kind === "enum" || !isColumnValues(v)) continue;
      if (def.kind === "color" && isColorTuple(v)) continue;
      if (this.userSource !== null) {
        throw new DocumentError(
          "bad_argument",
          `'${key}' is a list but a source was given: put the values in a column of the source and pass its name`,
        );
      }
      this.columns.set(key, v);
      values[key] = key;
    }
  }

  columnNames(): Set<string> {
    const source = this.userSource?.get("data");
    return new Set([...this.columns.keys(), ...(source instanceof Map ? [...source.keys()].map(String) : [])]);
  }

  make(args: Record<string, unknown>, visuals: Record<string, unknown>, hook?: GlyphHook): Model {
    const names = this.columnNames();
    const attrs: Record<string, unknown> = {};
    const extra = { ...args };
    hook?.(extra);
    const write = (key: string, def: PropDef, raw: unknown): void => {
      const json = toSpec(def.kind, raw, names);
      if (def.default !== REQUIRED && sameValue(json, toSpec(def.kind, def.default, new Set()))) return;
      attrs[key] = json;
    };
    for (const [key, def] of Object.entries(this.glyph.args)) if (key in extra) write(key, def, extra[key]);
    for (const [key, def] of Object.entries(this.glyph.visuals)) if (key in visuals) write(key, def, visuals[key]);
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
    const item = new LegendItem({ label, renderers: [renderer] });
    plot.set("center", [...(plot.get<Model[] | undefined>("center") ?? []), new Legend({ items: [item] })]);
    return;
  }
  const items = legend.get<Model[] | undefined>("items") ?? [];
  const item = items.find((it) => JSON.stringify(it.get("label")) === key);
  if (item !== undefined) item.set("renderers", [...(item.get<Model[] | undefined>("renderers") ?? []), renderer]);
  else legend.set("items", [...items, new LegendItem({ label, renderers: [renderer] })]);
}

/**
 * Python's `create_renderer`: a GlyphRenderer with glyph, nonselection_glyph (alpha 0.1), muted_glyph (alpha 0.2)
 * and, when `selection_*` / `hover_*` options are given, selection/hover glyphs; appended to `plot.renderers`,
 * with a legend entry for `legend_label` / `legend_field`. Values equal to Bokeh's defaults are left out, as Python
 * does. `legend_group` is not supported. `hook` adapts each glyph's attributes (Image's palette).
 */
export function createRenderer(plot: Model, glyph: GlyphType, options: object, hook?: GlyphHook): GlyphRenderer {
  const props: Record<string, unknown> = { ...(options as Record<string, unknown>) };
  const rawSource = props.source;
  delete props.source;
  const userSource =
    rawSource === undefined ? null : rawSource instanceof Model ? rawSource : new ColumnDataSource({ data: rawSource as ColumnsInit });
  const legend = pick(props, ["legend_label", "legend_field", "legend_group"]);
  if (Object.keys(legend).length > 1) throw new DocumentError("bad_argument", "give only one of legend_label and legend_field");
  if ("legend_group" in legend) throw new DocumentError("bad_argument", "legend_group is not supported; use legend_label or legend_field");
  const rendererArgs = pick(props, RENDERER_ARGS);
  const hookArgs = hook === undefined ? {} : pick(props, ["palette"]);

  const builder = new GlyphBuilder(glyph, userSource);
  const mainVisuals = popVisuals(glyph, props, "");
  const args = { ...pick(props, Object.keys(glyph.args)), ...hookArgs };
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
    view: rendererArgs.view ?? new CDSView(),
    glyph: builder.make(args, mainVisuals, hook),
    nonselection_glyph: builder.make(args, nonselection, hook),
  };
  if (selection !== null) attrs.selection_glyph = builder.make(args, selection, hook);
  if (hover !== null) attrs.hover_glyph = builder.make(args, hover, hook);
  attrs.muted_glyph = builder.make(args, muted, hook);
  const renderer = new GlyphRenderer({ ...attrs, ...rendererArgs });
  plot.set("renderers", [...(plot.get<Model[] | undefined>("renderers") ?? []), renderer]);
  if (typeof legend.legend_label === "string") updateLegend(plot, { type: "value", value: legend.legend_label }, renderer);
  if (typeof legend.legend_field === "string") updateLegend(plot, { type: "field", field: legend.legend_field }, renderer);
  return renderer;
}
