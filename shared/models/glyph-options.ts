import type { Model, NDArray } from "../document/index.ts";
import type { ColumnsInit } from "./column-data-source.ts";
import type { Palette, PaletteName } from "./palettes.ts";
import type { AlphaSpec, ColorSpec, ColumnValues, MarkerType, NumberSpec, StringSpec, TaggedSpec } from "./specs.ts";

export type LineJoin = "miter" | "round" | "bevel";
export type LineCap = "butt" | "round" | "square";
export type DashPattern = "solid" | "dashed" | "dotted" | "dotdash" | "dashdot" | readonly number[] | string;
export type TextAlign = "left" | "right" | "center";
export type TextBaseline = "top" | "middle" | "bottom" | "alphabetic" | "hanging" | "ideographic";
export type FontStyle = "normal" | "italic" | "bold" | "bold italic";
type Enum<T> = T | TaggedSpec;

/** `line_*` options. */
export interface LineVisuals {
  line_color?: ColorSpec;
  line_alpha?: AlphaSpec;
  line_width?: NumberSpec;
  line_join?: Enum<LineJoin>;
  line_cap?: Enum<LineCap>;
  line_dash?: Enum<DashPattern>;
  line_dash_offset?: NumberSpec;
}

/** `fill_*` options. */
export interface FillVisuals {
  fill_color?: ColorSpec;
  fill_alpha?: AlphaSpec;
}

/** `hatch_*` options. */
export interface HatchVisuals {
  hatch_color?: ColorSpec;
  hatch_alpha?: AlphaSpec;
  hatch_scale?: NumberSpec;
  hatch_pattern?: Enum<string | null>;
  hatch_weight?: NumberSpec;
}

/** `text_*` options. */
export interface TextVisuals {
  text_color?: ColorSpec;
  text_outline_color?: ColorSpec;
  text_alpha?: AlphaSpec;
  text_font?: StringSpec;
  text_font_size?: StringSpec;
  text_font_style?: Enum<FontStyle>;
  text_align?: Enum<TextAlign>;
  text_baseline?: Enum<TextBaseline>;
  text_line_height?: NumberSpec;
}

/** Shorthands setting every `*_color` / `*_alpha` of a glyph at once. */
export interface TraitShorthands {
  color?: ColorSpec;
  alpha?: AlphaSpec;
}

type Prefixed<T, P extends string> = { [K in keyof T & string as `${P}${K}`]?: T[K] };

/**
 * Python's visual cascade: the visuals, their `color`/`alpha` shorthands, and the same prefixed with
 * `nonselection_`, `selection_`, `hover_` and `muted_` for the glyphs of those states.
 */
export type Cascade<V> = V &
  TraitShorthands &
  Prefixed<V & TraitShorthands, "nonselection_"> &
  Prefixed<V & TraitShorthands, "selection_"> &
  Prefixed<V & TraitShorthands, "hover_"> &
  Prefixed<V & TraitShorthands, "muted_">;

/** Options every glyph method takes besides its coordinates and visuals. */
export interface RendererOptions {
  /** A data source, or columns to wrap in a new one. Without it, list values become columns of a new source. */
  source?: Model | ColumnsInit;
  name?: string;
  /** Adds (or joins) a legend entry with this label. */
  legend_label?: string;
  /** Adds a legend entry per value of this column (BokehJS groups them). */
  legend_field?: string;
  x_range_name?: string;
  y_range_name?: string;
  level?: "image" | "underlay" | "glyph" | "guide" | "annotation" | "overlay";
  visible?: boolean;
  muted?: boolean;
  view?: Model;
}

type Area = Cascade<LineVisuals & FillVisuals & HatchVisuals>;

/** `line(...)` options; Line's visuals are scalars (no columns). */
export type LineOptions = { x: NumberSpec; y: NumberSpec } & RendererOptions & Cascade<LineVisuals>;
/** `step(...)` options. */
export type StepOptions = { x: NumberSpec; y: NumberSpec; mode?: "before" | "after" | "center" } & RendererOptions & Cascade<LineVisuals>;
/** `scatter(...)` options; `marker` is a marker name, a column of names, or `factor_mark(...)`. */
export type ScatterOptions = {
  x: NumberSpec;
  y: NumberSpec;
  size?: NumberSpec;
  angle?: NumberSpec;
  marker?: MarkerType | StringSpec;
  hit_dilation?: number;
} & RendererOptions &
  Area;
/** `circle(...)` options: `radius` in data units (for a size in pixels use `scatter`). */
export type CircleOptions = {
  x: NumberSpec;
  y: NumberSpec;
  radius: NumberSpec;
  radius_dimension?: "x" | "y" | "max" | "min";
  hit_dilation?: number;
} & RendererOptions &
  Area;
/** `vbar(...)` options: bars from `bottom` (0) to `top`, `width` wide (1) around `x`. */
export type VBarOptions = { x: NumberSpec; top: NumberSpec; width?: NumberSpec; bottom?: NumberSpec } & RendererOptions & Area;
/** `hbar(...)` options: bars from `left` (0) to `right`, `height` high (1) around `y`. */
export type HBarOptions = { y: NumberSpec; right: NumberSpec; height?: NumberSpec; left?: NumberSpec } & RendererOptions & Area;
/** `quad(...)` options. */
export type QuadOptions = { left: NumberSpec; right: NumberSpec; top: NumberSpec; bottom: NumberSpec } & RendererOptions & Area;
/** `rect(...)` options: centred rectangles. */
export type RectOptions = {
  x: NumberSpec;
  y: NumberSpec;
  width: NumberSpec;
  height: NumberSpec;
  angle?: NumberSpec;
  dilate?: boolean;
  border_radius?: number;
} & RendererOptions &
  Area;
/** `varea(...)` options: the area between `y1` and `y2` along `x`; its fill is scalar. */
export type VAreaOptions = { x: NumberSpec; y1: NumberSpec; y2: NumberSpec } & RendererOptions & Cascade<FillVisuals & HatchVisuals>;
/** `harea(...)` options: the area between `x1` and `x2` along `y`. */
export type HAreaOptions = { y: NumberSpec; x1: NumberSpec; x2: NumberSpec } & RendererOptions & Cascade<FillVisuals & HatchVisuals>;
/** `patches(...)` options: `xs`/`ys` are lists of coordinate lists, one per patch. */
export type PatchesOptions = { xs: NumberSpec; ys: NumberSpec } & RendererOptions & Area;
/** `multi_line(...)` options: `xs`/`ys` are lists of coordinate lists, one per line. */
export type MultiLineOptions = { xs: NumberSpec; ys: NumberSpec } & RendererOptions & Cascade<LineVisuals>;
/** `segment(...)` options. */
export type SegmentOptions = { x0: NumberSpec; y0: NumberSpec; x1: NumberSpec; y1: NumberSpec } & RendererOptions & Cascade<LineVisuals>;
/** `wedge(...)` options (angles in radians). */
export type WedgeOptions = {
  x: NumberSpec;
  y: NumberSpec;
  radius: NumberSpec;
  start_angle: NumberSpec;
  end_angle: NumberSpec;
  direction?: "clock" | "anticlock";
} & RendererOptions &
  Area;
/** `text(...)` options: `text` names a column; use `value("...")` for one constant string. */
export type TextOptions = {
  x: NumberSpec;
  y: NumberSpec;
  text: StringSpec;
  angle?: NumberSpec;
  x_offset?: NumberSpec;
  y_offset?: NumberSpec;
  anchor?: Enum<string>;
  padding?: number;
  border_radius?: number;
  background_fill_color?: ColorSpec;
  background_fill_alpha?: AlphaSpec;
  border_line_color?: ColorSpec;
  border_line_alpha?: AlphaSpec;
  border_line_width?: NumberSpec;
  border_line_dash?: Enum<DashPattern>;
} & RendererOptions &
  Cascade<TextVisuals>;

/** One 2-D image: rows of numbers, or an {@link NDArray} of shape [rows, columns]. */
export type ImageData = ReadonlyArray<ArrayLike<number>> | NDArray;

/**
 * `image(...)` options: `image` is a list of 2-D arrays (one per image) or a column name; `palette` (default
 * "Greys9") or `color_mapper` colours the values.
 */
export type ImageOptions = {
  image: readonly ImageData[] | string;
  x: NumberSpec;
  y: NumberSpec;
  dw: NumberSpec;
  dh: NumberSpec;
  palette?: Palette | PaletteName;
  color_mapper?: Model;
  dilate?: boolean;
  origin?: "bottom_left" | "top_left" | "bottom_right" | "top_right";
  anchor?: "bottom_left" | "top_left" | "bottom_right" | "top_right" | "center";
  global_alpha?: AlphaSpec;
  nonselection_global_alpha?: AlphaSpec;
  muted_global_alpha?: AlphaSpec;
} & RendererOptions;

/** Any value a data-spec option takes (kept for the earliest API). */
export type GlyphValue = NumberSpec | ColorSpec | ColumnValues;
