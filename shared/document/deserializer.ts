import { gunzipSync } from "node:zlib";
import { DocumentError } from "./errors.ts";
import { Model } from "./model.ts";
import { NDArray, isTypedDType, typedArrayFromBytes } from "./ndarray.ts";
import { setOwn } from "./own-property.ts";
import { createModel } from "./registry.ts";

/** Options for {@link Deserializer}. */
export interface DeserializerOptions {
  /** Models the receiver already has, by id (the document's models). */
  lookup?: (id: string) => Model | undefined;
  /** Binary buffers that arrived with the message, by the id the JSON uses in `{"type":"bytes","data":{"id"}}`. */
  buffers?: ReadonlyMap<string, Uint8Array>;
}

type Json = Record<string, unknown>;

/**
 * Inline base64 bytes: gzip-compressed as BokehJS 3.10 writes them, or plain as Bokeh 3.6 did (data that does not
 * start with the gzip magic, or does not inflate, is taken as is).
 */
function inlineBytes(data: string): Uint8Array {
  const buf = globalThis.Buffer.from(data, "base64");
  if (buf.length >= 18 && buf[0] === 0x1f && buf[1] === 0x8b && buf[2] === 0x08) {
    try {
      const inflated = gunzipSync(buf);
      return new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength);
    } catch {
      // Not gzip after all: plain bytes that happen to start like it.
    }
  }
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function isJsonObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function bad(message: string): DocumentError {
  return new DocumentError("bad_value", message);
}

/**
 * Decodes Bokeh 3 JSON (PROTOCOL.md §5) into attribute values: Map for "map", Set for "set", typed arrays for 1-D
 * ndarrays of a JS dtype, {@link NDArray} for the others, ArrayBuffer for bare "bytes", numbers for "number", and
 * models for definitions and refs. Tags it does not interpret ("field", "value", "slice", "date", unknown ones, ...)
 * stay objects, with their inner values decoded, so they round-trip.
 *
 * Usage: `prepare(content)` once with everything that may define models (forward refs are allowed anywhere in
 * it), then `decode(part)` for each part. A definition of an id the receiver already has yields the existing model
 * and its attributes are ignored, as in Bokeh.
 */
export class Deserializer {
  private readonly created = new Map<string, Model>();
  private readonly lookup: (id: string) => Model | undefined;
  private readonly buffers: ReadonlyMap<string, Uint8Array>;

  constructor(opts: DeserializerOptions = {}) {
    this.lookup = opts.lookup ?? (() => undefined);
    this.buffers = opts.buffers ?? new Map();
  }

  /** Creates every model defined in full within `json` and decodes their attributes. Returns the new models. */
  prepare(json: unknown): Model[] {
    const pending: Array<[Model, Json]> = [];
    const stack: unknown[] = [json];
    while (stack.length > 0) {
      const v = stack.pop();
      if (v === null || typeof v !== "object") continue;
      if (Array.isArray(v)) {
        for (let i = v.length - 1; i >= 0; i--) if (v[i] !== null && typeof v[i] === "object") stack.push(v[i]);
        continue;
      }
      const obj = v as Json;
      if (obj.type === "object" && "id" in obj) {
        const { id, name, attributes } = obj;
        if (typeof id !== "string" || typeof name !== "string") throw bad("a model definition needs string 'id' and 'name'");
        if (attributes !== undefined && !isJsonObject(attributes)) throw bad(`attributes of ${name} ${id} must be an object`);
        if (this.created.has(id) || this.lookup(id) !== undefined) continue;
        const model = createModel(name, id);
        this.created.set(id, model);
        if (attributes !== undefined) {
          pending.push([model, attributes]);
          stack.push(attributes);
        }
        continue;
      }
      for (const item of Object.values(obj)) if (item !== null && typeof item === "object") stack.push(item);
    }
    for (const [model, attributes] of pending) {
      for (const [k, v] of Object.entries(attributes)) model._init_attribute(k, this.decode(v));
    }
    return [...this.created.values()];
  }

  /** The model with `id`: defined in the prepared content, or already known to the receiver. */
  resolve(id: unknown): Model {
    if (typeof id !== "string") throw bad("a model reference needs a string 'id'");
    const model = this.created.get(id) ?? this.lookup(id);
    if (model === undefined) {
      throw new DocumentError("unknown_model", `reference to unknown model '${id}': it is neither in the document nor defined in this message`);
    }
    return model;
  }

  decode(value: unknown): unknown {
    if (value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) return value.map((item) => this.decode(item));
    const obj = value as Json;
    const type = obj.type;
    if (type === undefined) {
      if ("id" in obj) return this.resolve(obj.id);
      return this.decodeFields(obj);
    }
    switch (type) {
      case "ref":
        return this.resolve(obj.id);
      case "object":
        return "id" in obj ? this.resolve(obj.id) : this.decodeFields(obj);
      case "number":
        return this.decodeNumber(obj.value);
      case "map":
        return new Map(this.entries(obj, "map").map((entry) => this.decodePair(entry)));
      case "set":
        return new Set(this.entries(obj, "set").map((entry) => this.decode(entry)));
      case "array":
        return this.entries(obj, "array").map((entry) => this.decode(entry));
      case "bytes": {
        const bytes = this.bytes(obj);
        return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      }
      case "typed_array":
        return this.decodeTypedArray(obj);
      case "ndarray":
        return this.decodeNDArray(obj);
      default:
        return this.decodeFields(obj);
    }
  }

  private decodeFields(obj: Json): Json {
    const out: Json = {};
    for (const [k, v] of Object.entries(obj)) setOwn(out, k, this.decode(v));
    return out;
  }

  private decodeNumber(value: unknown): number {
    if (typeof value === "number") return value;
    if (value === "nan") return NaN;
    if (value === "+inf" || value === "inf") return Infinity;
    if (value === "-inf") return -Infinity;
    throw bad(`unknown number value ${JSON.stringify(value)}`);
  }

  private entries(obj: Json, what: string): unknown[] {
    const entries = obj.entries ?? [];
    if (!Array.isArray(entries)) throw bad(`${what} entries must be a list`);
    return entries;
  }

  private decodePair(entry: unknown): [unknown, unknown] {
    if (!Array.isArray(entry) || entry.length !== 2) throw bad("map entries must be [key, value] pairs");
    return [this.decode(entry[0]), this.decode(entry[1])];
  }

  private bytes(rep: unknown): Uint8Array {
    if (!isJsonObject(rep) || rep.type !== "bytes") throw bad("expected a {type: 'bytes'} value");
    const data = rep.data;
    if (typeof data === "string") return inlineBytes(data);
    if (isJsonObject(data) && typeof data.id === "string") {
      const buffer = this.buffers.get(data.id);
      if (buffer === undefined) {
        throw new DocumentError("unknown_buffer", `buffer '${data.id}' is referenced but was not sent with the message`);
      }
      return buffer;
    }
    throw bad("bytes data must be base64 text or a {id} buffer reference");
  }

  private order(value: unknown): "little" | "big" {
    if (value === undefined || value === "little") return "little";
    if (value === "big") return "big";
    throw bad(`unknown byte order ${JSON.stringify(value)}`);
  }

  private decodeTypedArray(obj: Json): unknown {
    const dtype = obj.dtype;
    if (typeof dtype !== "string" || !isTypedDType(dtype)) throw bad(`typed_array has unsupported dtype ${JSON.stringify(dtype)}`);
    return typedArrayFromBytes(this.bytes(obj.array), dtype, this.order(obj.order));
  }

  private decodeNDArray(obj: Json): unknown {
    const { dtype, shape } = obj;
    if (typeof dtype !== "string") throw bad("ndarray needs a string dtype");
    if (!Array.isArray(shape) || !shape.every((n) => Number.isInteger(n) && n >= 0)) {
      throw bad("ndarray shape must be a list of non-negative integers");
    }
    const order = this.order(obj.order);
    const rawArray = obj.array;
    if (Array.isArray(rawArray) || (isJsonObject(rawArray) && rawArray.type === "array")) {
      const list = this.decode(rawArray) as unknown[];
      return new NDArray({ data: list, dtype, shape, order });
    }
    const bytes = this.bytes(rawArray);
    if (shape.length === 1 && isTypedDType(dtype)) {
      const array = typedArrayFromBytes(bytes, dtype, order);
      if (array.length !== shape[0]) throw bad(`ndarray of shape [${shape[0]}] carries ${array.length} items`);
      return array;
    }
    return new NDArray({ data: bytes.slice(), dtype, shape, order });
  }
}
