import { Model } from "../document/index.ts";
import { defineModel, type ModelProps } from "./bokeh-model.ts";
import { MODEL_DEFAULTS } from "./common-props.ts";

/** Attributes shared by the axis types (those analysts set most). */
export interface AxisProps extends ModelProps {
  visible: boolean;
  ticker: Model;
  formatter: Model;
  axis_label: string | null;
  axis_label_standoff: number;
  axis_label_text_font_size: string;
  axis_label_text_color: string;
  major_label_orientation: "horizontal" | "vertical" | number;
  major_label_overrides: Map<string | number, string>;
  major_label_policy: Model;
  major_label_text_font_size: string;
  major_label_text_color: string;
  axis_line_color: string | null;
  major_tick_line_color: string | null;
  minor_tick_line_color: string | null;
}

const AXIS_DEFAULTS = {
  ...MODEL_DEFAULTS,
  visible: true,
  ticker: undefined,
  formatter: undefined,
  axis_label: null,
  axis_label_standoff: 5,
  axis_label_text_font_size: "13px",
  axis_label_text_color: "#444444",
  major_label_orientation: "horizontal",
  major_label_overrides: undefined,
  major_label_policy: undefined,
  major_label_text_font_size: "11px",
  major_label_text_color: "#444444",
  axis_line_color: "black",
  major_tick_line_color: "black",
  minor_tick_line_color: "black",
} as const satisfies Record<keyof AxisProps, unknown>;

const axis = (type: string) => defineModel<AxisProps>(type, AXIS_DEFAULTS);

export const LinearAxis = axis("LinearAxis");
export type LinearAxis = InstanceType<typeof LinearAxis>;
export const LogAxis = axis("LogAxis");
export type LogAxis = InstanceType<typeof LogAxis>;
export const DatetimeAxis = axis("DatetimeAxis");
export type DatetimeAxis = InstanceType<typeof DatetimeAxis>;
export const CategoricalAxis = axis("CategoricalAxis");
export type CategoricalAxis = InstanceType<typeof CategoricalAxis>;
/** Any of the axis types above. */
export type Axis = LinearAxis;

/** `figure(x_axis_type=...)` values. */
export type AxisType = "linear" | "log" | "datetime" | "auto";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const range = (start: number, stop: number, step = 1): number[] => {
  const out: number[] = [];
  for (let i = start; i < stop; i += step) out.push(i);
  return out;
};

/** Python's DatetimeTicker with its default sub-tickers written out (Python writes them; BokehJS has the same). */
function datetimeTicker(): Model {
  // Values equal to AdaptiveTicker's defaults (base 10, min_interval 0) are left out, as Python leaves them.
  const adaptive = (mantissas: number[], base: number, min: number, max: number): Model =>
    new Model("AdaptiveTicker", {
      num_minor_ticks: 0,
      base: base === 10 ? undefined : base,
      mantissas,
      min_interval: min === 0 ? undefined : min,
      max_interval: max,
    });
  return new Model("DatetimeTicker", {
    num_minor_ticks: 5,
    tickers: [
      adaptive([1, 2, 5], 10, 0, 500),
      adaptive([1, 2, 5, 10, 15, 20, 30], 60, SECOND, 30 * MINUTE),
      adaptive([1, 2, 4, 6, 8, 12], 24, HOUR, 12 * HOUR),
      new Model("DaysTicker", { days: range(1, 32) }),
      new Model("DaysTicker", { days: range(1, 31, 3) }),
      new Model("DaysTicker", { days: [1, 8, 15, 22] }),
      new Model("DaysTicker", { days: [1, 15] }),
      new Model("MonthsTicker", { months: range(0, 12) }),
      new Model("MonthsTicker", { months: range(0, 12, 2) }),
      new Model("MonthsTicker", { months: range(0, 12, 4) }),
      new Model("MonthsTicker", { months: range(0, 12, 6) }),
      new Model("YearsTicker"),
    ],
  });
}

/**
 * The axis Python's figure puts on a side for an axis type: linear (BasicTicker), log (LogTicker, 10 minor ticks),
 * datetime (DatetimeTicker, 5 minor ticks) or, for factor ranges, categorical.
 */
export function makeAxis(type: AxisType, categorical: boolean, label: string | undefined): Model {
  const policy = new Model("AllLabels");
  const axis_label = label ?? undefined;
  if (categorical) {
    return new CategoricalAxis({
      ticker: new Model("CategoricalTicker"), formatter: new Model("CategoricalTickFormatter"), axis_label, major_label_policy: policy,
    });
  }
  if (type === "log") {
    return new LogAxis({
      ticker: new Model("LogTicker", { num_minor_ticks: 10, mantissas: [1, 5] }), formatter: new Model("LogTickFormatter"), axis_label,
      major_label_policy: policy,
    });
  }
  if (type === "datetime") {
    return new DatetimeAxis({ ticker: datetimeTicker(), formatter: new Model("DatetimeTickFormatter"), axis_label, major_label_policy: policy });
  }
  return new LinearAxis({
    ticker: new Model("BasicTicker", { mantissas: [1, 2, 5] }), formatter: new Model("BasicTickFormatter"), axis_label, major_label_policy: policy,
  });
}
