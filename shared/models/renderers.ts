import { Model } from "../document/index.ts";
import { defineModel, type ModelProps } from "./bokeh-model.ts";
import { MODEL_DEFAULTS, type Anchor } from "./common-props.ts";

/** Python's `Selection`: what is selected in a data source (BokehJS syncs changes made in the browser). */
export interface SelectionProps extends ModelProps {
  indices: number[];
  line_indices: number[];
  multiline_indices: Record<string, number[]>;
  image_indices: unknown[];
}
export const Selection = defineModel<SelectionProps>("Selection", {
  ...MODEL_DEFAULTS,
  indices: [],
  line_indices: [],
  multiline_indices: undefined,
  image_indices: [],
});
export type Selection = InstanceType<typeof Selection>;

/** A data source view (`filter` defaults to AllIndices, written explicitly as Python does). */
export interface CDSViewProps extends ModelProps {
  filter: Model;
}
export const CDSView = defineModel<CDSViewProps>("CDSView", { ...MODEL_DEFAULTS, filter: undefined }, {
  create: () => ({ filter: new Model("AllIndices") }),
});
export type CDSView = InstanceType<typeof CDSView>;

/** What `figure().line(...)` and the other glyph methods return. */
export interface GlyphRendererProps extends ModelProps {
  level: "image" | "underlay" | "glyph" | "guide" | "annotation" | "overlay";
  visible: boolean;
  x_range_name: string;
  y_range_name: string;
  data_source: Model;
  view: Model;
  glyph: Model;
  selection_glyph: Model | "auto" | null;
  nonselection_glyph: Model | "auto" | null;
  hover_glyph: Model | null;
  muted_glyph: Model | "auto" | null;
  muted: boolean;
}
export const GlyphRenderer = defineModel<GlyphRendererProps>("GlyphRenderer", {
  ...MODEL_DEFAULTS,
  level: "glyph",
  visible: true,
  x_range_name: "default",
  y_range_name: "default",
  data_source: undefined,
  view: undefined,
  glyph: undefined,
  selection_glyph: "auto",
  nonselection_glyph: "auto",
  hover_glyph: null,
  muted_glyph: "auto",
  muted: false,
});
export type GlyphRenderer = InstanceType<typeof GlyphRenderer>;

/** One legend entry: a label (`{type: "value"}` or `{type: "field"}`) for some renderers. */
export interface LegendItemProps extends ModelProps {
  label: { type: string; [k: string]: unknown } | string | null;
  renderers: Model[];
  index: number | null;
  visible: boolean;
}
export const LegendItem = defineModel<LegendItemProps>("LegendItem", { ...MODEL_DEFAULTS, label: null, renderers: [], index: null, visible: true });
export type LegendItem = InstanceType<typeof LegendItem>;

/** The plot legend that `legend_label` fills; `p.legend` returns it. */
export interface LegendProps extends ModelProps {
  visible: boolean;
  location: Anchor | readonly [number, number];
  orientation: "vertical" | "horizontal";
  title: string | null;
  click_policy: "none" | "hide" | "mute";
  items: Model[];
  ncols: number | "auto";
  nrows: number | "auto";
  background_fill_color: string | null;
  background_fill_alpha: number;
  border_line_color: string | null;
  label_text_font_size: string;
  label_text_color: string;
}
export const Legend = defineModel<LegendProps>("Legend", {
  ...MODEL_DEFAULTS,
  visible: true,
  location: "top_right",
  orientation: "vertical",
  title: null,
  click_policy: "none",
  items: [],
  ncols: "auto",
  nrows: "auto",
  background_fill_color: "#ffffff",
  background_fill_alpha: 0.95,
  border_line_color: "#e5e5e5",
  label_text_font_size: "13px",
  label_text_color: "#444444",
});
export type Legend = InstanceType<typeof Legend>;

/** A plot title. */
export interface TitleProps extends ModelProps {
  text: string;
  align: "left" | "center" | "right";
  text_font_size: string;
  text_color: string;
  text_font_style: "normal" | "italic" | "bold" | "bold italic";
  background_fill_color: string | null;
}
export const Title = defineModel<TitleProps>("Title", {
  ...MODEL_DEFAULTS,
  text: "",
  align: "left",
  text_font_size: "13px",
  text_color: "#444444",
  text_font_style: "bold",
  background_fill_color: null,
});
export type Title = InstanceType<typeof Title>;

/** Grid lines of one dimension, tied to an axis. */
export interface GridProps extends ModelProps {
  visible: boolean;
  dimension: 0 | 1;
  axis: Model | null;
  grid_line_color: string | null;
  grid_line_alpha: number;
  grid_line_dash: string | number[];
  minor_grid_line_color: string | null;
  band_fill_color: string | null;
  band_fill_alpha: number;
}
export const Grid = defineModel<GridProps>("Grid", {
  ...MODEL_DEFAULTS,
  visible: true,
  dimension: 0,
  axis: null,
  grid_line_color: "#e5e5e5",
  grid_line_alpha: 1,
  grid_line_dash: [],
  minor_grid_line_color: null,
  band_fill_color: null,
  band_fill_alpha: 0,
});
export type Grid = InstanceType<typeof Grid>;
