import { gzipSync } from "node:zlib";
import { DocumentError } from "./errors.ts";
import { nextId } from "./ids.ts";
import { Model } from "./model.ts";
import { NDArray, dtypeOf, isTypedArray, typedArrayBytes } from "./ndarray.ts";
import { setOwn } from "./own-property.ts";

/** A binary buffer that travels next to the JSON (one text `{"id"}` frame plus one binary frame on the wire). */
export interface SerializedBuffer {
  id: string;
  data: Uint8Array;
}

/** JSON content plus the binary buffers it references by `{"id": ...}` (empty when everything is inline). */
export interface Serialized<T> {
  json: T;
  buffers: SerializedBuffer[];
}

/** Options for {@link Serializer}. */
export interface SerializerOptions {
  /**
   * Models the receiver already has: written as `{"id"}` refs from their first occurrence. Every other model is
   * written in full at its first occurrence and as a ref afterwards.
   */
  known?: (model: Model) => boolean;
  /**
   * Byte length from which typed arrays travel as separate buffers. Undefined: everything inline (gzip + base64).
   */
  threshold?: number;
}

/**
 * Inline bytes as BokehJS 3.10 reads them: gzip-compressed, then base64 (its `base64_to_buffer` always gunzips;
 * plain base64, as Bokeh 3.6 wrote it, fails there with "invalid gzip data").
 */
function base64(bytes: Uint8Array): string {
  return gzipSync(bytes).toString("base64");
}

/**
 * Encodes attribute values into Bokeh 3 JSON exactly as Python/BokehJS write it (see PROTOCOL.md §5). One instance
 * per message/document: it remembers which models it has written so later occurrences become refs.
 */
export class Serializer {
  readonly buffers: SerializedBuffer[] = [];
  private readonly written = new Set<Model>();
  private readonly known: (model: Model) => boolean;
  private readonly threshold: number | undefined;

  constructor(opts: SerializerOptions = {}) {
    this.known = opts.known ?? (() => false);
    this.threshold = opts.threshold;
  }

  /** `{"id"}` for a model, never its full form (the `model` field of patch events). */
  ref(model: Model): { id: string } {
    return { id: model.id };
  }

  encode(value: unknown): unknown {
    switch (typeof value) {
      case "string":
      case "boolean":
        return value;
      case "undefined":
        return null;
      case "number":
        if (Number.isNaN(value)) return { type: "number", value: "nan" };
        if (value === Infinity) return { type: "number", value: "+inf" };
        if (value === -Infinity) return { type: "number", value: "-inf" };
        return value;
      case "object":
        return value === null ? null : this.encodeObject(value);
      default:
        throw new DocumentError(
          "unserializable",
          `a ${typeof value} cannot be sent to BokehJS; use JSON values, models, Map, Set or typed arrays`,
        );
    }
  }

  private encodeObject(value: object): unknown {
    if (value instanceof Model) return this.encodeModel(value);
    if (Array.isArray(value)) return value.map((item) => this.encode(item));
    if (isTypedArray(value)) {
      return {
        type: "ndarray",
        array: this.bytes(typedArrayBytes(value)),
        shape: [value.length],
        dtype: dtypeOf(value),
        order: "little",
      };
    }
    if (value instanceof NDArray) {
      const array = Array.isArray(value.data)
        ? value.data.map((item) => this.encode(item))
        : this.bytes((value.data as Uint8Array).slice());
      return { type: "ndarray", array, shape: [...value.shape], dtype: value.dtype, order: value.order };
    }
    if (value instanceof Map) {
      if (value.size === 0) return { type: "map" };
      return { type: "map", entries: [...value].map(([k, v]) => [this.encode(k), this.encode(v)]) };
    }
    if (value instanceof Set) {
      if (value.size === 0) return { type: "set" };
      return { type: "set", entries: [...value].map((v) => this.encode(v)) };
    }
    if (value instanceof ArrayBuffer) return this.bytes(new Uint8Array(value.slice(0)));
    if (value instanceof Date) return value.getTime();
    if (ArrayBuffer.isView(value)) {
      throw new DocumentError("unserializable", `${value.constructor.name} has no Bokeh dtype; convert it to a supported typed array`);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) setOwn(out, k, this.encode(v));
    return out;
  }

  private encodeModel(model: Model): unknown {
    if (this.written.has(model) || this.known(model)) return { id: model.id };
    this.written.add(model);
    const rep: Record<string, unknown> = { type: "object", name: model.type, id: model.id };
    if (model.attributes.size > 0) {
      const attributes: Record<string, unknown> = {};
      for (const [k, v] of model.attributes) setOwn(attributes, k, this.encode(v));
      rep.attributes = attributes;
    }
    return rep;
  }

  private bytes(data: Uint8Array): unknown {
    if (this.threshold !== undefined && data.byteLength >= this.threshold) {
      const id = nextId();
      this.buffers.push({ id, data });
      return { type: "bytes", data: { id } };
    }
    return { type: "bytes", data: base64(data) };
  }
}
