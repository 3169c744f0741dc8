import type { Model } from "../document/index.ts";
import { defineModel } from "./bokeh-model.ts";
import { WIDGET_DEFAULTS, type LayoutProps } from "./common-props.ts";

/** Attributes of both sliders (Python's AbstractSlider and NumericalSlider). */
interface SliderBaseProps extends LayoutProps {
  orientation: "horizontal" | "vertical";
  title: string | null;
  show_value: boolean;
  direction: "ltr" | "rtl";
  tooltips: boolean;
  bar_color: string;
  /** A numbro format ("0[.]00") or a tick formatter model. */
  format: string | Model;
  start: number;
  end: number;
  step: number;
}

const BASE = {
  ...WIDGET_DEFAULTS,
  width: 300,
  orientation: "horizontal",
  title: "",
  show_value: true,
  direction: "ltr",
  tooltips: true,
  bar_color: "#e6e6e6",
  format: "0[.]00",
  start: undefined,
  end: undefined,
} as const;

/** Slider attributes; `value_throttled` follows `value` once the user lets go. */
export interface SliderProps extends SliderBaseProps {
  value: number;
  value_throttled: number;
}

/** Bokeh's Slider (start, end and value are required, as in Python). */
export const Slider = defineModel<SliderProps, "start" | "end" | "value">("Slider", {
  ...BASE,
  value: undefined,
  value_throttled: undefined,
  step: 1,
});
export type Slider = InstanceType<typeof Slider>;

/** RangeSlider attributes: `value` is `[low, high]`. */
export interface RangeSliderProps extends SliderBaseProps {
  value: [number, number];
  value_throttled: [number, number];
}

/** Bokeh's RangeSlider. */
export const RangeSlider = defineModel<RangeSliderProps, "start" | "end" | "value">("RangeSlider", {
  ...BASE,
  value: undefined,
  value_throttled: undefined,
  step: 1,
});
export type RangeSlider = InstanceType<typeof RangeSlider>;
