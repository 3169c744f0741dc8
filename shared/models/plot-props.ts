import type { Model } from "../document/index.ts";
import type { Defaults } from "./bokeh-model.ts";
import { LAYOUT_DEFAULTS, type LayoutProps, type Location } from "./common-props.ts";
import type { AxisType } from "./axes.ts";
import type { Factor } from "./mappers.ts";
import type { ToolName, ToolsInit, Tooltips } from "./tools.ts";

/** Attributes of a Plot / Figure that analysts set (any other Plot attribute works through `set`). */
export interface PlotProps extends LayoutProps {
  x_range: Model;
  y_range: Model;
  x_scale: Model;
  y_scale: Model;
  extra_x_ranges: Map<string, Model>;
  extra_y_ranges: Map<string, Model>;
  /** A Title model; assigning a string sets a new Title with that text. */
  title: Model | null;
  title_location: Location | null;
  renderers: Model[];
  toolbar: Model;
  toolbar_location: Location | null;
  toolbar_sticky: boolean;
  toolbar_inner: boolean;
  left: Model[];
  right: Model[];
  above: Model[];
  below: Model[];
  center: Model[];
  frame_width: number | null;
  frame_height: number | null;
  background_fill_color: string | null;
  background_fill_alpha: number;
  border_fill_color: string | null;
  border_fill_alpha: number;
  outline_line_color: string | null;
  outline_line_alpha: number;
  outline_line_width: number;
  min_border: number | null;
  min_border_left: number | null;
  min_border_right: number | null;
  min_border_top: number | null;
  min_border_bottom: number | null;
  match_aspect: boolean;
  aspect_scale: number;
  output_backend: "canvas" | "svg" | "webgl";
  hidpi: boolean;
  lod_threshold: number | null;
}

/** Defaults of {@link PlotProps}, in Python's order. */
export const PLOT_DEFAULTS: Defaults<PlotProps> = {
  ...LAYOUT_DEFAULTS,
  width: 600,
  height: 600,
  x_range: undefined,
  y_range: undefined,
  x_scale: undefined,
  y_scale: undefined,
  extra_x_ranges: undefined,
  extra_y_ranges: undefined,
  title: undefined,
  title_location: "above",
  renderers: [],
  toolbar: undefined,
  toolbar_location: "right",
  toolbar_sticky: true,
  toolbar_inner: false,
  left: [],
  right: [],
  above: [],
  below: [],
  center: [],
  frame_width: null,
  frame_height: null,
  background_fill_color: "#ffffff",
  background_fill_alpha: 1,
  border_fill_color: "#ffffff",
  border_fill_alpha: 1,
  outline_line_color: "#e5e5e5",
  outline_line_alpha: 1,
  outline_line_width: 1,
  min_border: 5,
  min_border_left: null,
  min_border_right: null,
  min_border_top: null,
  min_border_bottom: null,
  match_aspect: false,
  aspect_scale: 1,
  output_backend: "canvas",
  hidpi: true,
  lod_threshold: 2000,
};

/** A range as `figure()` takes it: a range model, `[start, end]` numbers (Range1d), or factors (FactorRange). */
export type RangeInit = Model | readonly [number, number] | readonly Factor[];

/** A toolbar's active tool: a name given in `tools`, a tool model, "auto" or null. */
export type ActiveTool = ToolName | Model | "auto" | null;

/** The options only `figure()` has (Python's `FigureOptions`). */
export interface FigureOnlyOptions {
  x_range?: RangeInit;
  y_range?: RangeInit;
  x_axis_type?: AxisType | null;
  y_axis_type?: AxisType | null;
  x_axis_location?: "above" | "below" | null;
  y_axis_location?: "left" | "right" | null;
  x_axis_label?: string;
  y_axis_label?: string;
  /** "pan,wheel_zoom" or a list of names and tool models. Default: Python's "pan,wheel_zoom,box_zoom,save,reset,help". */
  tools?: ToolsInit;
  /** Hover tooltips ("@column" reads a column): set on the hover tool, which is added when `tools` has none. */
  tooltips?: Tooltips;
  active_drag?: ActiveTool;
  active_inspect?: ActiveTool;
  active_scroll?: ActiveTool;
  active_tap?: ActiveTool;
  active_multi?: ActiveTool;
}

type PlotInit = { [K in Exclude<keyof PlotProps, "title" | "x_range" | "y_range" | "toolbar" | "renderers">]?: PlotProps[K] };

/** Options of `figure()`: Python's figure options and Plot attributes; a wrong name is a type error. */
export interface FigureOptions extends PlotInit, FigureOnlyOptions {
  title?: string | Model | null;
}
