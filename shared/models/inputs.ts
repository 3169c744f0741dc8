import { DocumentError, type Model } from "../document/index.ts";
import { defineModel } from "./bokeh-model.ts";
import { WIDGET_DEFAULTS, type LayoutProps } from "./common-props.ts";

/** Attributes of every input widget: a title above it and an optional description tooltip. */
export interface InputProps extends LayoutProps {
  title: string | Model;
  description: string | Model | null;
}

const INPUT_DEFAULTS = { ...WIDGET_DEFAULTS, title: "", description: null } as const;

/** Select options: values, `[value, label]` pairs, or groups of those by group label. */
export type SelectOptions = Array<string | readonly [string, string]> | Record<string, Array<string | readonly [string, string]>>;

/** Select attributes. */
export interface SelectProps extends InputProps {
  options: SelectOptions;
  value: string;
}

/** Bokeh's Select (a drop-down of options; `value` is the chosen option's value). */
export const Select = defineModel<SelectProps>("Select", { ...INPUT_DEFAULTS, options: [], value: "" });
export type Select = InstanceType<typeof Select>;

/** MultiSelect attributes: `value` lists the chosen options' values. */
export interface MultiSelectProps extends InputProps {
  options: Array<string | readonly [string, string]>;
  value: string[];
  size: number;
}

/** Bokeh's MultiSelect. */
export const MultiSelect = defineModel<MultiSelectProps>("MultiSelect", { ...INPUT_DEFAULTS, options: [], value: [], size: 4 });
export type MultiSelect = InstanceType<typeof MultiSelect>;

/** Attributes of the text inputs: `value` changes on commit (Enter, blur), `value_input` on every key. */
export interface TextLikeProps extends InputProps {
  value: string;
  value_input: string;
  placeholder: string;
  max_length: number | null;
}

const TEXT_DEFAULTS = { ...INPUT_DEFAULTS, value: "", value_input: "", placeholder: "", max_length: null } as const;

export interface TextInputProps extends TextLikeProps {
  prefix: string | null;
  suffix: string | null;
}

/** Bokeh's TextInput. */
export const TextInput = defineModel<TextInputProps>("TextInput", { ...TEXT_DEFAULTS, prefix: null, suffix: null });
export type TextInput = InstanceType<typeof TextInput>;

export interface TextAreaInputProps extends TextLikeProps {
  cols: number;
  rows: number;
}

/** Bokeh's TextAreaInput (multi-line). */
export const TextAreaInput = defineModel<TextAreaInputProps>("TextAreaInput", { ...TEXT_DEFAULTS, max_length: 500, cols: 20, rows: 2 });
export type TextAreaInput = InstanceType<typeof TextAreaInput>;

/** NumericInput attributes: `mode` "int" or "float", bounded by `low`/`high`. */
export interface NumericInputProps extends InputProps {
  value: number | null;
  low: number | null;
  high: number | null;
  placeholder: string;
  mode: "int" | "float";
  format: string | Model | null;
}

/** Bokeh's NumericInput. */
export const NumericInput = defineModel<NumericInputProps>("NumericInput", {
  ...INPUT_DEFAULTS, value: null, low: null, high: null, placeholder: "", mode: "int", format: null,
});
export type NumericInput = InstanceType<typeof NumericInput>;

/** A date as app code gives it: a Date, epoch milliseconds, or "YYYY-MM-DD". Stored as "YYYY-MM-DD" (UTC), like Python. */
export type DateLike = Date | number | string;

/** "YYYY-MM-DD" for a Date or epoch ms (UTC); strings are kept. */
export function toDateString(v: unknown): unknown {
  if (typeof v === "string") return v;
  const date = v instanceof Date ? v : typeof v === "number" ? new Date(v) : null;
  if (date === null) return v;
  if (Number.isNaN(date.getTime())) throw new DocumentError("bad_argument", "invalid date");
  return date.toISOString().slice(0, 10);
}

/** DatePicker attributes; dates are read back as "YYYY-MM-DD" strings. */
export interface DatePickerProps extends InputProps {
  value: DateLike | null;
  min_date: DateLike | null;
  max_date: DateLike | null;
  position: "auto" | "above" | "below";
  inline: boolean;
}

/** Bokeh's DatePicker. */
export const DatePicker = defineModel<DatePickerProps>("DatePicker", {
  ...INPUT_DEFAULTS, position: "auto", inline: false, min_date: null, max_date: null, value: null,
}, { normalize: { value: toDateString, min_date: toDateString, max_date: toDateString } });
export type DatePicker = InstanceType<typeof DatePicker>;
