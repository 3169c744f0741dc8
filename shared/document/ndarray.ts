import { DocumentError } from "./errors.ts";

/** The JS typed arrays that map one-to-one onto a Bokeh dtype. */
export type TypedArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array;

/** Bokeh dtypes that have a JS typed array. */
export type TypedDType = "float64" | "float32" | "int32" | "uint32" | "int16" | "uint16" | "int8" | "uint8";

type TypedArrayConstructor = {
  new (buffer: ArrayBuffer, byteOffset?: number, length?: number): TypedArray;
  new (length: number): TypedArray;
  readonly BYTES_PER_ELEMENT: number;
};

const CONSTRUCTORS: Record<TypedDType, TypedArrayConstructor> = {
  float64: Float64Array,
  float32: Float32Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
};

/** True on the (rare) big-endian hosts: Bokeh's wire order is "little", so bytes are swapped there. */
const HOST_IS_BIG_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 0;

/** True for the typed arrays this layer encodes as 1-D ndarrays (not DataView, not BigInt arrays). */
export function isTypedArray(value: unknown): value is TypedArray {
  return dtypeOf(value) !== null;
}

/** The Bokeh dtype of a typed array, or null when `value` is not one of the supported typed arrays. */
export function dtypeOf(value: unknown): TypedDType | null {
  if (value instanceof Float64Array) return "float64";
  if (value instanceof Float32Array) return "float32";
  if (value instanceof Int32Array) return "int32";
  if (value instanceof Uint32Array) return "uint32";
  if (value instanceof Int16Array) return "int16";
  if (value instanceof Uint16Array) return "uint16";
  if (value instanceof Int8Array) return "int8";
  if (value instanceof Uint8Array || value instanceof Uint8ClampedArray) return "uint8";
  return null;
}

export function isTypedDType(dtype: string): dtype is TypedDType {
  return Object.hasOwn(CONSTRUCTORS, dtype);
}

/** A new, empty-or-sized typed array of the given dtype (used to keep streamed columns typed). */
export function makeTypedArray(dtype: TypedDType, length: number): TypedArray {
  return new CONSTRUCTORS[dtype](length);
}

/** Bytes per item for the dtypes whose size is known here; null for others (their bytes are kept unchecked). */
function itemSize(dtype: string): number | null {
  if (isTypedDType(dtype)) return CONSTRUCTORS[dtype].BYTES_PER_ELEMENT;
  const sizes: Record<string, number> = { bool: 1, int64: 8, uint64: 8, float16: 2 };
  return sizes[dtype] ?? null;
}

function swapped(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += size) {
    for (let j = 0; j < size; j++) out[i + j] = bytes[i + size - 1 - j];
  }
  return out;
}

/** The bytes of a typed array in little-endian order, as a fresh copy (later mutation of `array` cannot leak). */
export function typedArrayBytes(array: TypedArray): Uint8Array {
  const view = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  return HOST_IS_BIG_ENDIAN && array.BYTES_PER_ELEMENT > 1 ? swapped(view, array.BYTES_PER_ELEMENT) : view.slice();
}

/** Builds a typed array from wire bytes (copied, so alignment and ownership are ours). */
export function typedArrayFromBytes(bytes: Uint8Array, dtype: TypedDType, order: "little" | "big"): TypedArray {
  const ctor = CONSTRUCTORS[dtype];
  if (bytes.byteLength % ctor.BYTES_PER_ELEMENT !== 0) {
    throw new DocumentError(
      "bad_value",
      `ndarray of dtype ${dtype} has ${bytes.byteLength} bytes, not a multiple of ${ctor.BYTES_PER_ELEMENT}; the sender's buffer is truncated`,
    );
  }
  const wireIsHost = (order === "big") === HOST_IS_BIG_ENDIAN;
  const copy = wireIsHost || ctor.BYTES_PER_ELEMENT === 1 ? bytes.slice() : swapped(bytes, ctor.BYTES_PER_ELEMENT);
  return new ctor(copy.buffer as ArrayBuffer, copy.byteOffset, copy.byteLength / ctor.BYTES_PER_ELEMENT);
}

/** Options for {@link NDArray}: raw bytes (or a flat list for dtype "object") plus Bokeh's shape/dtype/order. */
export interface NDArrayInit {
  /** Raw bytes in `order`, a typed array (its bytes are taken in host order), or a flat list for dtype "object". */
  data: Uint8Array | TypedArray | readonly unknown[];
  dtype: string;
  shape: readonly number[];
  order?: "little" | "big";
}

/**
 * An n-dimensional array or an array of a dtype JS has no typed array for (bool, int64, object, ...). It keeps the
 * wire bytes untouched so it round-trips exactly; this layer does no arithmetic on it. 1-D arrays of a typed dtype
 * are decoded to plain JS typed arrays instead, so app code rarely sees this class.
 */
export class NDArray {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly order: "little" | "big";
  /** Raw bytes, or (dtype "object") the flat list of items. */
  readonly data: Uint8Array | readonly unknown[];

  constructor(init: NDArrayInit) {
    this.dtype = init.dtype;
    this.shape = [...init.shape];
    const data = init.data;
    if (Array.isArray(data)) {
      this.data = data;
      this.order = init.order ?? "little";
    } else if (isTypedArray(data) && !(data instanceof Uint8Array)) {
      this.data = typedArrayBytes(data);
      this.order = "little";
    } else {
      this.data = data as Uint8Array;
      this.order = init.order ?? "little";
    }
    const size = itemSize(this.dtype);
    if (!Array.isArray(this.data) && size !== null) {
      const bytes = this.data as Uint8Array;
      const expected = this.shape.reduce((a, b) => a * b, 1) * size;
      if (bytes.byteLength !== expected) {
        throw new DocumentError(
          "bad_value",
          `ndarray of shape [${this.shape.join(", ")}] and dtype ${this.dtype} needs ${expected} bytes, got ${bytes.byteLength}`,
        );
      }
    }
  }

  /** Number of items along the first axis (what a data source column length means). */
  get length(): number {
    return this.shape[0] ?? 0;
  }

  /** The items as a flat typed array, when the dtype has one; null otherwise. */
  flat(): TypedArray | null {
    if (Array.isArray(this.data) || !isTypedDType(this.dtype)) return null;
    return typedArrayFromBytes(this.data as Uint8Array, this.dtype, this.order);
  }
}
