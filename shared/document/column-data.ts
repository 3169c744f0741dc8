import { DocumentError } from "./errors.ts";
import { NDArray, dtypeOf, isTypedArray, makeTypedArray, type TypedArray } from "./ndarray.ts";

/** One data source column: a plain list, a typed array, or an {@link NDArray} (n-d / odd dtype). */
export type Column = unknown[] | TypedArray | NDArray;

/** A data source's `data`: Bokeh's "map" from column name to column (insertion order is wire order). */
export type ColumnData = Map<string, unknown>;

/** Python's `slice(start, stop, step)` in its wire form; missing parts are null, like Python's None. */
export interface Slice {
  type: "slice";
  start: number | null;
  stop: number | null;
  step: number | null;
}

/** Where a patch writes: one index, a slice, or (n-d sub-patching, not applied here) a multi-index. */
export type PatchIndex = number | Slice | ReadonlyArray<number | Slice>;

/** Column name to list of `[where, value(s)]`, as ColumnsPatched carries it. */
export type ColumnPatches = Map<string, Array<[PatchIndex, unknown]>>;

/**
 * How a change to a data source's columns is announced instead of a plain ModelChanged: the model layer passes it
 * to the document, which turns it into the matching DocumentChangedEvent.
 */
export type ColumnChange =
  | { kind: "ColumnDataChanged"; data: ColumnData; cols: string[] | null }
  | { kind: "ColumnsStreamed"; data: ColumnData; rollover: number | null }
  | { kind: "ColumnsPatched"; patches: ColumnPatches };

/**
 * A plain `{col: values}` object or a Map, as a ColumnData Map (same column arrays, no copies). Anything else is
 * refused, class instances included: a model sent as `data` (e.g. a client's ModelChanged of `data` to `{"id": ...}`)
 * would otherwise have its internals, the document among them, copied in as columns, and walking those cycles
 * hangs the process.
 */
export function toColumnData(data: Readonly<Record<string, unknown>> | ReadonlyMap<string, unknown>): ColumnData {
  if (data instanceof Map) return new Map(data);
  const proto = data === null || typeof data !== "object" ? undefined : Object.getPrototypeOf(data);
  if (Array.isArray(data) || (proto !== Object.prototype && proto !== null)) {
    throw new DocumentError("bad_columns", "column data must be an object (or Map) of column name to values");
  }
  return new Map(Object.entries(data));
}

/** Number of rows of one column value, or null when the value is not a column. */
export function columnLength(value: unknown): number | null {
  if (Array.isArray(value) || isTypedArray(value)) return value.length;
  if (value instanceof NDArray) return value.length;
  return null;
}

function items(value: unknown, what: string): ArrayLike<unknown> {
  if (Array.isArray(value) || isTypedArray(value)) return value;
  if (value instanceof NDArray && value.shape.length === 1) {
    const flat = value.flat();
    if (flat !== null) return flat;
    if (Array.isArray(value.data)) return value.data;
  }
  throw new DocumentError("bad_columns", `${what} must be a list or a 1-D typed array`);
}

function appendColumn(name: string, old: unknown, added: unknown, rollover: number | null): unknown {
  const addedItems = items(added, `streamed values for column '${name}'`);
  const oldItems = items(old, `column '${name}'`);
  const total = oldItems.length + addedItems.length;
  const start = rollover === null ? 0 : Math.max(0, total - rollover);
  const dtype = dtypeOf(old);
  const allNumbers = Array.prototype.every.call(addedItems, (v: unknown) => typeof v === "number");
  if (dtype !== null && (isTypedArray(addedItems) || allNumbers)) {
    const out = makeTypedArray(dtype, total - start);
    let k = 0;
    for (let i = start; i < total; i++, k++) {
      out[k] = (i < oldItems.length ? oldItems[i] : addedItems[i - oldItems.length]) as number;
    }
    return out;
  }
  const out: unknown[] = [];
  for (let i = start; i < total; i++) out.push(i < oldItems.length ? oldItems[i] : addedItems[i - oldItems.length]);
  return out;
}

/** Below this many bytes a few JSON numbers are smaller than any typed-array encoding, so they stay numbers. */
const TYPED_STREAM_MIN_BYTES = 64;

/**
 * The streamed rows as the columns they join will hold them: plain numbers for a typed column become a typed array
 * of the same dtype, so the ColumnsStreamed event that carries them is sent as a binary buffer (above the
 * threshold) rather than as JSON numbers. Other values, and chunks under 64 bytes, are kept as given.
 */
export function typedLikeColumns(current: ColumnData, data: ColumnData): ColumnData {
  const out: ColumnData = new Map();
  for (const [name, values] of data) {
    const old = current.get(name);
    const dtype = dtypeOf(old);
    const itemBytes = isTypedArray(old) ? old.BYTES_PER_ELEMENT : 8;
    if (dtype !== null && Array.isArray(values) && values.length * itemBytes >= TYPED_STREAM_MIN_BYTES && values.every((v) => typeof v === "number")) {
      const typed = makeTypedArray(dtype, values.length);
      for (let i = 0; i < values.length; i++) typed[i] = values[i] as number;
      out.set(name, typed);
    } else out.set(name, values);
  }
  return out;
}

/**
 * The columns after appending `data` and keeping only the last `rollover` rows, as Python's `stream` does: every
 * existing column must get the same number of new rows. Typed columns stay typed. `current` is not modified.
 */
export function streamColumns(current: ColumnData, data: ColumnData, rollover: number | null): ColumnData {
  if (rollover !== null && (!Number.isInteger(rollover) || rollover < 0)) {
    throw new DocumentError("bad_columns", `rollover must be a non-negative integer or null, got ${rollover}`);
  }
  const missing = [...current.keys()].filter((k) => !data.has(k));
  const extra = [...data.keys()].filter((k) => !current.has(k));
  if (missing.length > 0 || extra.length > 0) {
    throw new DocumentError(
      "bad_columns",
      `stream updates must cover exactly the existing columns (missing: ${missing.join(", ") || "none"}; extra: ${extra.join(", ") || "none"})`,
    );
  }
  const lengths = new Set([...data.entries()].map(([k, v]) => items(v, `streamed values for column '${k}'`).length));
  if (lengths.size > 1) throw new DocumentError("bad_columns", "all streamed columns must have the same length");
  const next: ColumnData = new Map();
  for (const [name, old] of current) next.set(name, appendColumn(name, old, data.get(name), rollover));
  return next;
}

/** Python's `slice` from a user-friendly `{start?, stop?, step?}` (with or without `type: "slice"`). */
export function toSlice(value: { start?: number | null; stop?: number | null; step?: number | null }): Slice {
  return { type: "slice", start: value.start ?? null, stop: value.stop ?? null, step: value.step ?? null };
}

function isSliceLike(value: unknown): value is { start?: number | null; stop?: number | null; step?: number | null } {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const type = (value as { type?: unknown }).type;
  return type === undefined || type === "slice";
}

/** Turns `{col: [[index|slice, value], ...]}` (plain object or Map) into ColumnPatches with normalized slices. */
export function toColumnPatches(
  patches: Readonly<Record<string, ReadonlyArray<readonly [unknown, unknown]>>> | ReadonlyMap<string, unknown>,
): ColumnPatches {
  const entries = patches instanceof Map ? [...patches.entries()] : Object.entries(patches);
  const out: ColumnPatches = new Map();
  for (const [name, list] of entries) {
    if (!Array.isArray(list)) throw new DocumentError("bad_columns", `patches for column '${name}' must be a list`);
    out.set(
      name,
      list.map((entry: unknown) => {
        if (!Array.isArray(entry) || entry.length !== 2) {
          throw new DocumentError("bad_columns", `each patch for column '${name}' must be a pair [index or slice, value]`);
        }
        const [where, value] = entry as [unknown, unknown];
        if (typeof where === "number") return [where, value] as [PatchIndex, unknown];
        if (Array.isArray(where)) {
          return [where.map((w) => (typeof w === "number" ? w : toSlice(w))), value] as [PatchIndex, unknown];
        }
        if (isSliceLike(where)) return [toSlice(where), value] as [PatchIndex, unknown];
        throw new DocumentError("bad_columns", `patch index for column '${name}' must be an integer or a slice`);
      }),
    );
  }
  return out;
}

function sliceIndices(slice: Slice, length: number, name: string): number[] {
  const start = slice.start ?? 0;
  const stop = slice.stop ?? length;
  const step = slice.step ?? 1;
  if (start < 0 || stop < 0 || step <= 0 || start > stop || stop > length) {
    throw new DocumentError(
      "bad_columns",
      `slice ${start}:${stop}:${step} does not fit column '${name}' of length ${length} (negative or reversed slices are not allowed)`,
    );
  }
  const out: number[] = [];
  for (let i = start; i < stop; i += step) out.push(i);
  return out;
}

/**
 * The columns after applying `patches` (index and slice patches on 1-D columns). Only patched columns are copied;
 * `current` is not modified. Multi-index patches into n-d items are refused with `bad_columns`.
 */
export function patchColumns(current: ColumnData, patches: ColumnPatches): ColumnData {
  const next: ColumnData = new Map(current);
  for (const [name, list] of patches) {
    if (!current.has(name)) throw new DocumentError("bad_columns", `can only patch existing columns (got '${name}')`);
    const old = current.get(name);
    if (!Array.isArray(old) && !isTypedArray(old)) {
      throw new DocumentError("bad_columns", `column '${name}' is not a list or 1-D typed array and cannot be patched`);
    }
    const column: unknown[] | TypedArray = old.slice();
    for (const [where, value] of list) {
      if (typeof where === "number") {
        if (!Number.isInteger(where) || where < 0 || where >= column.length) {
          throw new DocumentError("bad_columns", `patch index ${where} is out of bounds for column '${name}'`);
        }
        (column as unknown[])[where] = value;
      } else if (!Array.isArray(where) && (where as Slice).type === "slice") {
        const indices = sliceIndices(where as Slice, column.length, name);
        const values = items(value, `values for the slice patch of column '${name}'`);
        if (values.length !== indices.length) {
          throw new DocumentError(
            "bad_columns",
            `slice patch of column '${name}' covers ${indices.length} rows but has ${values.length} values`,
          );
        }
        indices.forEach((i, k) => ((column as unknown[])[i] = values[k]));
      } else {
        throw new DocumentError("bad_columns", `multi-index patches (column '${name}') are not supported`);
      }
    }
    next.set(name, column);
  }
  return next;
}
