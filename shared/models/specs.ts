import { isTypedArray, type Model, type TypedArray } from "../document/index.ts";

/** Python's `field("col")` / `field("col", transform)`: a data spec that reads a column of the data source. */
export interface FieldSpec {
  type: "field";
  field: string;
  transform?: Model;
  units?: string;
}

/** Python's `value(v)`: a data spec with one constant value for every data point. */
export interface ValueSpec {
  type: "value";
  value: unknown;
  transform?: Model;
  units?: string;
}

/** Any tagged spec BokehJS understands (`field`, `value`, `expr`). */
export type TaggedSpec = FieldSpec | ValueSpec | { type: "expr"; expr: Model; transform?: Model };

/** A data spec reading column `name`, optionally through a transform (e.g. a color mapper). */
export function field(name: string, transform?: Model): FieldSpec {
  return transform === undefined ? { type: "field", field: name } : { type: "field", field: name, transform };
}

/** A constant data spec (use it where a plain string would mean a column, e.g. `text: value("hello")`). */
export function value(v: unknown, transform?: Model): ValueSpec {
  return transform === undefined ? { type: "value", value: v } : { type: "value", value: v, transform };
}

/** Column values as glyph methods accept them (they become columns of a new data source). */
export type ColumnValues = readonly unknown[] | TypedArray;

/** A numeric data spec: a column name, a number, column values, or a tagged spec. */
export type NumberSpec = string | number | ColumnValues | TaggedSpec;
/** A color: a CSS color or column name, an RGB(A) tuple, null (none), column values, or a tagged spec. */
export type ColorSpec = string | null | readonly [number, number, number] | readonly [number, number, number, number] | ColumnValues | TaggedSpec;
/** A string data spec: a column name, column values or a tagged spec (`value("text")` for a constant). */
export type StringSpec = string | ColumnValues | TaggedSpec;
/** An alpha in [0, 1], a column name, values or a tagged spec. */
export type AlphaSpec = NumberSpec;
/** The `SpecInput` of the earliest API: anything a data spec accepts. */
export type SpecInput = string | number | null | readonly unknown[] | TypedArray | { type: string };

/** How a glyph property turns a user value into JSON (see {@link toSpec}). */
export type SpecKind = "number" | "string" | "color" | "enum" | "marker" | "font_size" | "plain";

export const MARKER_TYPES = [
  "asterisk", "circle", "circle_cross", "circle_dot", "circle_x", "circle_y", "cross", "dash", "diamond", "diamond_cross",
  "diamond_dot", "dot", "hex", "hex_dot", "inverted_triangle", "plus", "square", "square_cross", "square_dot", "square_pin",
  "square_x", "star", "star_dot", "triangle", "triangle_dot", "triangle_pin", "x", "y",
] as const;
/** Scatter marker names. */
export type MarkerType = (typeof MARKER_TYPES)[number];

const MARKERS = new Set<string>(MARKER_TYPES);
const FONT_SIZE = /^[+-]?(\d+\.?\d*|\.\d+)([a-z]+|%)$/i;

/** True for column values (lists and typed arrays). */
export function isColumnValues(v: unknown): v is ColumnValues {
  return Array.isArray(v) || isTypedArray(v);
}

/** True for an RGB or RGBA tuple of numbers. */
export function isColorTuple(v: unknown): boolean {
  return Array.isArray(v) && (v.length === 3 || v.length === 4) && v.every((x) => typeof x === "number");
}

/**
 * The JSON of one data spec, following Python's property rules: a string names a column, except for colors that
 * are not columns of the source, enumerations (line_dash, text_align, ...), marker names and font sizes, which are
 * values; tagged specs pass through; anything else is a value. `plain` properties are written as given.
 */
export function toSpec(kind: SpecKind, v: unknown, columns: ReadonlySet<string>): unknown {
  if (kind === "plain") return v;
  if (v !== null && typeof v === "object" && !isColumnValues(v)) return v;
  if (typeof v === "string") {
    switch (kind) {
      case "color":
        return columns.has(v) ? field(v) : value(v);
      case "enum":
        return columns.has(v) ? field(v) : value(v);
      case "marker":
        return MARKERS.has(v) ? value(v) : field(v);
      case "font_size":
        return FONT_SIZE.test(v) ? value(v) : field(v);
      default:
        return field(v);
    }
  }
  return value(v);
}
