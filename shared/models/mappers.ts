import { defineModel, type ModelProps } from "./bokeh-model.ts";
import { MODEL_DEFAULTS } from "./common-props.ts";
import { palette as resolvePalette, type Palette, type PaletteName } from "./palettes.ts";
import { field, type FieldSpec } from "./specs.ts";
import type { MarkerType } from "./specs.ts";

/** A factor: a string, or a 2-/3-level tuple for nested categorical ranges. */
export type Factor = string | readonly [string, string] | readonly [string, string, string];

const toPalette = (v: unknown): unknown => (typeof v === "string" ? [...resolvePalette(v as PaletteName)] : v);

interface ColorMapperProps extends ModelProps {
  /** A palette name ("Viridis256") or a list of colours. */
  palette: Palette | PaletteName;
  nan_color: string;
}

export interface ContinuousColorMapperProps extends ColorMapperProps {
  low: number | null;
  high: number | null;
  low_color: string | null;
  high_color: string | null;
}

const CONTINUOUS_DEFAULTS = { ...MODEL_DEFAULTS, palette: undefined, nan_color: "gray", low: null, high: null, low_color: null, high_color: null };

/** Maps numbers linearly onto a palette (Image's color mapper, `linear_cmap`). */
export const LinearColorMapper = defineModel<ContinuousColorMapperProps, "palette">("LinearColorMapper", CONTINUOUS_DEFAULTS, {
  normalize: { palette: toPalette },
});
export type LinearColorMapper = InstanceType<typeof LinearColorMapper>;

/** Maps numbers logarithmically onto a palette (`log_cmap`). */
export const LogColorMapper = defineModel<ContinuousColorMapperProps, "palette">("LogColorMapper", CONTINUOUS_DEFAULTS, {
  normalize: { palette: toPalette },
});
export type LogColorMapper = InstanceType<typeof LogColorMapper>;

export interface CategoricalColorMapperProps extends ColorMapperProps {
  factors: Factor[];
  start: number;
  end: number | null;
}

/** Maps factors onto palette colours in order (`factor_cmap`). */
export const CategoricalColorMapper = defineModel<CategoricalColorMapperProps, "palette" | "factors">("CategoricalColorMapper", {
  ...MODEL_DEFAULTS,
  palette: undefined,
  nan_color: "gray",
  factors: undefined,
  start: 0,
  end: null,
}, { normalize: { palette: toPalette } });
export type CategoricalColorMapper = InstanceType<typeof CategoricalColorMapper>;

export interface CategoricalMarkerMapperProps extends ModelProps {
  factors: Factor[];
  markers: MarkerType[];
  start: number;
  end: number | null;
  default_value: MarkerType;
}

/** Maps factors onto marker types (`factor_mark`). */
export const CategoricalMarkerMapper = defineModel<CategoricalMarkerMapperProps, "factors" | "markers">("CategoricalMarkerMapper", {
  ...MODEL_DEFAULTS,
  factors: undefined,
  markers: undefined,
  start: 0,
  end: null,
  default_value: "circle",
});

/** Options of {@link factor_cmap} after the required ones. */
export interface FactorCmapOptions {
  start?: number;
  end?: number | null;
  nan_color?: string;
}

/**
 * Python's `factor_cmap(field_name, palette, factors)`: a colour spec that maps the column's factors onto the
 * palette, for `fill_color`/`line_color`/`color` of a glyph.
 */
export function factor_cmap(field_name: string, palette: Palette | PaletteName, factors: readonly Factor[], opts: FactorCmapOptions = {}): FieldSpec {
  const start = opts.start === 0 ? undefined : opts.start;
  const end = opts.end === null ? undefined : opts.end;
  const nan_color = opts.nan_color === "gray" ? undefined : opts.nan_color;
  return field(field_name, new CategoricalColorMapper({ palette, factors: [...factors], start, end, nan_color }));
}

/** Options of {@link linear_cmap} / {@link log_cmap} after the required ones. */
export interface ContinuousCmapOptions {
  low_color?: string | null;
  high_color?: string | null;
  nan_color?: string;
}

function continuous(kind: "linear" | "log", field_name: string, palette: Palette | PaletteName, low: number, high: number, opts: ContinuousCmapOptions): FieldSpec {
  const init = { palette, low, high, low_color: opts.low_color ?? undefined, high_color: opts.high_color ?? undefined, nan_color: opts.nan_color };
  if (init.nan_color === "gray") init.nan_color = undefined;
  return field(field_name, kind === "linear" ? new LinearColorMapper(init) : new LogColorMapper(init));
}

/** Python's `linear_cmap(field_name, palette, low, high)`: a colour spec mapping the column linearly onto the palette. */
export function linear_cmap(field_name: string, palette: Palette | PaletteName, low: number, high: number, opts: ContinuousCmapOptions = {}): FieldSpec {
  return continuous("linear", field_name, palette, low, high, opts);
}

/** Python's `log_cmap(field_name, palette, low, high)`: like {@link linear_cmap} on a log scale. */
export function log_cmap(field_name: string, palette: Palette | PaletteName, low: number, high: number, opts: ContinuousCmapOptions = {}): FieldSpec {
  return continuous("log", field_name, palette, low, high, opts);
}

/** Python's `factor_mark(field_name, markers, factors)`: a marker spec for `scatter(marker=...)`. */
export function factor_mark(field_name: string, markers: readonly MarkerType[], factors: readonly Factor[]): FieldSpec {
  return field(field_name, new CategoricalMarkerMapper({ markers: [...markers], factors: [...factors] }));
}
