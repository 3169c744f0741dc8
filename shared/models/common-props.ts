import type { Defaults, ModelProps } from "./bokeh-model.ts";

/** Python's `sizing_mode` values. */
export type SizingMode = "fixed" | "stretch_width" | "stretch_height" | "stretch_both" | "scale_width" | "scale_height" | "scale_both";
export type SizingPolicy = "fixed" | "fit" | "min" | "max";
export type Align = "start" | "center" | "end";
export type Location = "above" | "below" | "left" | "right";
/** Legend and label anchors. */
export type Anchor =
  | "top_left" | "top_center" | "top_right" | "center_left" | "center" | "center_right" | "bottom_left" | "bottom_center" | "bottom_right"
  | "top" | "left" | "right" | "bottom";
export type Margin = number | readonly [number, number] | readonly [number, number, number, number];

/** Attributes of every model (Python's `Model`), written first. */
export const MODEL_DEFAULTS: Defaults<ModelProps> = { name: null, tags: [], syncable: true };

/** Attributes of every UI element and layout (Python's `LayoutDOM` and its bases). */
export interface LayoutProps extends ModelProps {
  visible: boolean;
  css_classes: string[];
  styles: Record<string, string | null>;
  stylesheets: unknown[];
  disabled: boolean;
  width: number | null;
  height: number | null;
  min_width: number | null;
  min_height: number | null;
  max_width: number | null;
  max_height: number | null;
  margin: Margin | null;
  width_policy: SizingPolicy | "auto";
  height_policy: SizingPolicy | "auto";
  aspect_ratio: number | "auto" | null;
  sizing_mode: SizingMode | null;
  align: Align | readonly [Align, Align] | "auto";
  resizable: boolean | "width" | "height" | "both";
}

/** Defaults of {@link LayoutProps}, in Python's order. */
export const LAYOUT_DEFAULTS: Defaults<LayoutProps> = {
  ...MODEL_DEFAULTS,
  visible: true,
  css_classes: [],
  styles: undefined,
  stylesheets: [],
  disabled: false,
  width: null,
  height: null,
  min_width: null,
  min_height: null,
  max_width: null,
  max_height: null,
  margin: null,
  width_policy: "auto",
  height_policy: "auto",
  aspect_ratio: null,
  sizing_mode: null,
  align: "auto",
  resizable: false,
};

/** Widgets are layouts with a 5 px margin. */
export const WIDGET_DEFAULTS: Defaults<LayoutProps> = { ...LAYOUT_DEFAULTS, margin: 5 };
