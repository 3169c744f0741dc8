import { Model, registerModelType, type ModelOptions } from "../document/index.ts";
import { DEFAULT_TOOLS, makeAxis, makeRange, makeTools, type RangeInit } from "./figure-parts.ts";
import { LINE, SCATTER, createRenderer, type GlyphOptions, type SpecInput } from "./glyph-api.ts";

/** Options of `line()`: Python's `p.line(...)` keyword arguments. */
export interface LineOptions extends GlyphOptions {
  line_join?: string;
  line_cap?: string;
}

/** Options of `scatter()`: Python's `p.scatter(...)` keyword arguments. */
export interface ScatterOptions extends GlyphOptions {
  size?: SpecInput;
  marker?: SpecInput;
  angle?: SpecInput;
  fill_color?: SpecInput;
  fill_alpha?: SpecInput;
  hatch_color?: SpecInput;
  hatch_alpha?: SpecInput;
  hatch_pattern?: SpecInput;
}

/** Options of {@link figure}: the common Python ones; any other key is set as a Plot attribute verbatim. */
export interface FigureOptions {
  title?: string | Model;
  width?: number;
  height?: number;
  /** A range model, `[start, end]` (Range1d), or factors (FactorRange, categorical axis). Default DataRange1d. */
  x_range?: RangeInit;
  y_range?: RangeInit;
  x_axis_label?: string;
  y_axis_label?: string;
  /** "pan,wheel_zoom" or a list of names and tool models. Default: Python's "pan,wheel_zoom,box_zoom,save,reset,help". */
  tools?: string | ReadonlyArray<string | Model>;
  /** Hover tooltips: set on the hover tool, which is added when `tools` has none. */
  tooltips?: string | ReadonlyArray<readonly [string, string]>;
  toolbar_location?: "above" | "below" | "left" | "right" | null;
  name?: string;
  [attr: string]: unknown;
}

/**
 * Bokeh's Figure (a Plot with glyph methods). `line`/`scatter` build renderers as Python's glyph API does; only
 * these two glyph methods exist so far (others: build models and `add_layout`/`set("renderers")` by hand).
 */
export class Figure extends Model {
  constructor(attrs?: Readonly<Record<string, unknown>>, opts: ModelOptions = {}) {
    super("Figure", attrs, opts);
  }

  /** Adds a Line glyph renderer and returns it. */
  line(options: LineOptions): Model {
    return createRenderer(this, LINE, options);
  }

  /** Adds a Scatter glyph renderer and returns it. */
  scatter(options: ScatterOptions): Model {
    return createRenderer(this, SCATTER, options);
  }

  /** Appends tools (models or names such as "hover") to the toolbar. */
  add_tools(...tools: Array<string | Model>): void {
    const toolbar = this.get<Model>("toolbar");
    toolbar.set("tools", [...(toolbar.get<Model[] | undefined>("tools") ?? []), ...makeTools(tools)]);
  }

  /** Adds an annotation or axis to a side panel ("center" by default), as Python's `add_layout`. */
  add_layout(model: Model, place: "center" | "above" | "below" | "left" | "right" = "center"): void {
    this.set(place, [...(this.get<Model[] | undefined>(place) ?? []), model]);
  }

  get renderers(): Model[] {
    return this.get<Model[] | undefined>("renderers") ?? [];
  }
  get x_range(): Model {
    return this.get<Model>("x_range");
  }
  get y_range(): Model {
    return this.get<Model>("y_range");
  }
  get toolbar(): Model {
    return this.get<Model>("toolbar");
  }
}

registerModelType("Figure", (id) => new Figure(undefined, { id }));

/** Python's `figure(...)`: a Figure with ranges, scales, title, axes, grids and the default toolbar. */
export function figure(options: FigureOptions = {}): Figure {
  const { title, width, height, x_range, y_range, x_axis_label, y_axis_label, tools, tooltips, toolbar_location, name, ...rest } =
    options;
  const x = makeRange(x_range);
  const y = makeRange(y_range);
  const toolModels = makeTools(tools ?? DEFAULT_TOOLS);
  if (tooltips !== undefined) {
    const hover = toolModels.find((t) => t.type === "HoverTool") ?? new Model("HoverTool", { renderers: "auto" });
    if (!toolModels.includes(hover)) toolModels.push(hover);
    hover.set("tooltips", tooltips);
  }
  const xaxis = makeAxis(x.categorical, x_axis_label);
  const yaxis = makeAxis(y.categorical, y_axis_label);
  const attrs: Record<string, unknown> = {
    name,
    width,
    height,
    x_range: x.range,
    y_range: y.range,
    x_scale: new Model(x.categorical ? "CategoricalScale" : "LinearScale"),
    y_scale: new Model(y.categorical ? "CategoricalScale" : "LinearScale"),
    title: title instanceof Model ? title : new Model("Title", title === undefined ? {} : { text: title }),
    // Written before toolbar and panels (Python's property order), so renderers are defined in full here and
    // legends/hover tools further down refer to them by id.
    renderers: [],
    toolbar: new Model("Toolbar", { tools: toolModels }),
  };
  if (toolbar_location !== undefined) attrs.toolbar_location = toolbar_location;
  attrs.left = [yaxis];
  attrs.below = [xaxis];
  attrs.center = [new Model("Grid", { axis: xaxis }), new Model("Grid", { dimension: 1, axis: yaxis })];
  return new Figure({ ...attrs, ...rest });
}
