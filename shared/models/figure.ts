import { DocumentError, Model, NDArray } from "../document/index.ts";
import { makeAxis } from "./axes.ts";
import { defineModel, finishModel } from "./bokeh-model.ts";
import { createRenderer } from "./glyph-api.ts";
import type * as O from "./glyph-options.ts";
import * as G from "./glyph-types.ts";
import { LinearColorMapper } from "./mappers.ts";
import { palette as resolvePalette, type PaletteName } from "./palettes.ts";
import { PLOT_DEFAULTS, type FigureOptions, type PlotProps, type RangeInit } from "./plot-props.ts";
import { Grid, Title, type GlyphRenderer, type Legend } from "./renderers.ts";
import { splat, type Splat } from "./splat.ts";
import { DEFAULT_TOOLS, makeTools, type HoverTool, type ToolName } from "./tools.ts";
import type { LinearAxis } from "./axes.ts";

const PlotBase = defineModel<PlotProps>("Figure", PLOT_DEFAULTS, {
  normalize: { title: (v) => (typeof v === "string" ? new Title({ text: v }) : v) },
});

/** Image data as BokehJS reads it: each image an NDArray of shape [rows, columns]. */
function toImages(images: O.ImageOptions["image"]): unknown {
  if (typeof images === "string") return images;
  return images.map((img) => {
    if (img instanceof NDArray) return img;
    const rows = img.length;
    const cols = rows > 0 ? img[0].length : 0;
    const flat = new Float64Array(rows * cols);
    img.forEach((row, r) => {
      if (row.length !== cols) throw new DocumentError("bad_argument", "every row of an image must have the same length");
      for (let c = 0; c < cols; c++) flat[r * cols + c] = row[c];
    });
    return new NDArray({ data: flat, dtype: "float64", shape: [rows, cols] });
  });
}

/**
 * Bokeh's Figure: a Plot with Python's glyph methods. Each method adds a GlyphRenderer (with its own data source
 * unless `source` is given) and returns it. `xaxis`, `yaxis`, `axis`, `xgrid`, `ygrid`, `grid`, `legend` and
 * `hover` are Python's splattable lists: `p.xaxis.axis_label = "time"` sets every x axis.
 */
class FigureModel extends PlotBase {
  line(options: O.LineOptions): GlyphRenderer {
    return createRenderer(this, G.LINE, options);
  }
  step(options: O.StepOptions): GlyphRenderer {
    return createRenderer(this, G.STEP, options);
  }
  scatter(options: O.ScatterOptions): GlyphRenderer {
    return createRenderer(this, G.SCATTER, options);
  }
  /** Circles of `radius` data units. Like Python (deprecated there), `size` instead of `radius` makes a scatter. */
  circle(options: O.CircleOptions): GlyphRenderer {
    if ("size" in options) {
      if ("radius" in options) throw new DocumentError("bad_argument", "give only one of size and radius");
      return this.scatter(options as unknown as O.ScatterOptions);
    }
    return createRenderer(this, G.CIRCLE, options);
  }
  vbar(options: O.VBarOptions): GlyphRenderer {
    return createRenderer(this, G.VBAR, options);
  }
  hbar(options: O.HBarOptions): GlyphRenderer {
    return createRenderer(this, G.HBAR, options);
  }
  quad(options: O.QuadOptions): GlyphRenderer {
    return createRenderer(this, G.QUAD, options);
  }
  rect(options: O.RectOptions): GlyphRenderer {
    return createRenderer(this, G.RECT, options);
  }
  varea(options: O.VAreaOptions): GlyphRenderer {
    return createRenderer(this, G.VAREA, options);
  }
  harea(options: O.HAreaOptions): GlyphRenderer {
    return createRenderer(this, G.HAREA, options);
  }
  patches(options: O.PatchesOptions): GlyphRenderer {
    return createRenderer(this, G.PATCHES, options);
  }
  multi_line(options: O.MultiLineOptions): GlyphRenderer {
    return createRenderer(this, G.MULTI_LINE, options);
  }
  segment(options: O.SegmentOptions): GlyphRenderer {
    return createRenderer(this, G.SEGMENT, options);
  }
  wedge(options: O.WedgeOptions): GlyphRenderer {
    return createRenderer(this, G.WEDGE, options);
  }
  text(options: O.TextOptions): GlyphRenderer {
    return createRenderer(this, G.TEXT_GLYPH, options);
  }
  /** Images coloured through `palette` (default "Greys9") or `color_mapper`; each glyph gets its own mapper, as in Python. */
  image(options: O.ImageOptions): GlyphRenderer {
    if (options.palette !== undefined && options.color_mapper !== undefined) {
      throw new DocumentError("bad_argument", "give only one of palette and color_mapper");
    }
    return createRenderer(this, G.IMAGE, { ...options, image: toImages(options.image) }, (args) => {
      if (args.color_mapper === undefined) {
        const colors = resolvePalette((args.palette as PaletteName | undefined) ?? "Greys9");
        args.color_mapper = new LinearColorMapper({ palette: [...colors] });
      }
      delete args.palette;
    });
  }

  /** Appends tools (models or names such as "hover") to the toolbar. */
  add_tools(...tools: Array<ToolName | Model>): void {
    const toolbar = this.get<Model>("toolbar");
    toolbar.set("tools", [...(toolbar.get<Model[] | undefined>("tools") ?? []), ...makeTools(tools).tools]);
  }

  /** Adds an annotation or axis to a side panel ("center" by default), as Python's `add_layout`. */
  add_layout(model: Model, place: "center" | "above" | "below" | "left" | "right" = "center"): void {
    this.set(place, [...(this.get<Model[] | undefined>(place) ?? []), model]);
  }

  private panels(...sides: Array<"center" | "above" | "below" | "left" | "right">): Model[] {
    return sides.flatMap((side) => this.get<Model[] | undefined>(side) ?? []);
  }

  get xaxis(): Splat<LinearAxis> {
    return splat(this.panels("above", "below").filter((m) => m.type.endsWith("Axis")) as LinearAxis[]);
  }
  get yaxis(): Splat<LinearAxis> {
    return splat(this.panels("left", "right").filter((m) => m.type.endsWith("Axis")) as LinearAxis[]);
  }
  get axis(): Splat<LinearAxis> {
    return splat([...this.xaxis, ...this.yaxis]);
  }
  get xgrid(): Splat<Grid> {
    return splat(this.panels("center").filter((m) => m.type === "Grid" && (m.get("dimension") ?? 0) === 0) as Grid[]);
  }
  get ygrid(): Splat<Grid> {
    return splat(this.panels("center").filter((m) => m.type === "Grid" && m.get("dimension") === 1) as Grid[]);
  }
  get grid(): Splat<Grid> {
    return splat([...this.xgrid, ...this.ygrid]);
  }
  get legend(): Splat<Legend> {
    return splat(this.panels("above", "below", "left", "right", "center").filter((m) => m.type === "Legend") as Legend[]);
  }
  get hover(): Splat<HoverTool> {
    return splat((this.toolbar.get<Model[] | undefined>("tools") ?? []).filter((m) => m.type === "HoverTool") as HoverTool[]);
  }
}

export const Figure = finishModel(FigureModel);
export type Figure = FigureModel;

/** A range model for `figure(x_range=...)`, and whether it is categorical (which picks the scale and axis). */
function makeRange(range: RangeInit | undefined): { range: Model; categorical: boolean } {
  if (range === undefined) return { range: new Model("DataRange1d"), categorical: false };
  if (range instanceof Model) return { range, categorical: range.type === "FactorRange" };
  if (range.length > 0 && range.every((v) => typeof v === "string" || Array.isArray(v))) {
    return { range: new Model("FactorRange", { factors: [...range] }), categorical: true };
  }
  if (range.length === 2 && range.every((v) => typeof v === "number")) {
    return { range: new Model("Range1d", { start: range[0], end: range[1] }), categorical: false };
  }
  throw new DocumentError("bad_argument", "a range must be a range model, [start, end] numbers, or a list of factors");
}

const FIGURE_ONLY = new Set([
  "x_range", "y_range", "x_axis_type", "y_axis_type", "x_axis_location", "y_axis_location", "x_axis_label", "y_axis_label",
  "tools", "tooltips", "active_drag", "active_inspect", "active_scroll", "active_tap", "active_multi", "title",
]);

/** Python's `figure(...)`: a Figure with ranges, scales, title, axes, grids and the default toolbar. */
export function figure(options: FigureOptions = {}): Figure {
  const unknown = Object.keys(options).filter((k) => !FIGURE_ONLY.has(k) && !(k in PLOT_DEFAULTS));
  if (unknown.length > 0) throw new DocumentError("bad_argument", `figure() has no option(s) ${unknown.join(", ")}`);
  const { title, x_range, y_range, x_axis_type, y_axis_type, x_axis_location, y_axis_location, x_axis_label, y_axis_label, tools, tooltips } =
    options;
  const plotAttrs: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(options)) if (!FIGURE_ONLY.has(key)) plotAttrs[key] = v;
  const x = makeRange(x_range);
  const y = makeRange(y_range);
  const { tools: toolModels, byName } = makeTools(tools ?? DEFAULT_TOOLS);
  if (tooltips !== undefined) {
    const hover = toolModels.find((t) => t.type === "HoverTool") ?? makeTools(["hover"]).tools[0];
    if (!toolModels.includes(hover)) toolModels.push(hover);
    hover.set("tooltips", tooltips);
  }
  const toolbar = new Model("Toolbar", { tools: toolModels });
  for (const key of ["active_drag", "active_inspect", "active_scroll", "active_tap", "active_multi"] as const) {
    const active = options[key];
    if (active === undefined || active === "auto") continue;
    if (active === null || active instanceof Model) toolbar.set(key, active);
    else if (byName.has(active)) toolbar.set(key, byName.get(active));
    else throw new DocumentError("bad_argument", `${key}='${active}' is not one of the tools given in 'tools'`);
  }
  const scale = (r: { range: Model; categorical: boolean }, type: string | null | undefined): Model =>
    new Model(r.categorical ? "CategoricalScale" : type === "log" ? "LogScale" : "LinearScale");
  const panels: Record<string, Model[]> = { left: [], right: [], above: [], below: [], center: [] };
  const sides: Array<[AxisTypeArg, string | null | undefined, boolean, string | undefined, 0 | 1, string]> = [
    [x_axis_type, x_axis_location, x.categorical, x_axis_label, 0, "below"],
    [y_axis_type, y_axis_location, y.categorical, y_axis_label, 1, "left"],
  ];
  for (const [type, location, categorical, label, dimension, fallback] of sides) {
    if (type === null) continue;
    const axis = makeAxis(type ?? "auto", categorical, label);
    panels.center.push(new Grid({ dimension: dimension === 0 ? undefined : 1, axis }));
    const side = location === undefined ? fallback : location;
    if (side !== null) panels[side].push(axis);
  }
  const nonEmpty = Object.fromEntries(Object.entries(panels).filter(([, list]) => list.length > 0));
  return new Figure({
    ...plotAttrs,
    x_range: x.range,
    y_range: y.range,
    x_scale: scale(x, x_axis_type),
    y_scale: scale(y, y_axis_type),
    title: title === null ? null : title instanceof Model ? title : new Title(title === undefined ? {} : { text: title }),
    // Written before toolbar and panels (Python's property order), so renderers are defined in full here and
    // legends/hover tools further down refer to them by id.
    renderers: [],
    toolbar,
    ...nonEmpty,
  });
}

type AxisTypeArg = FigureOptions["x_axis_type"];
