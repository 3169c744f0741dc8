import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  Deserializer,
  Document,
  DocumentError,
  Model,
  NDArray,
  Serializer,
  nextId,
  type DocJson,
} from "../../../shared/document/index.ts";

/** Float64 values whose bits must survive exactly. */
const TRICKY = Float64Array.of(-0, 0, NaN, Infinity, -Infinity, 5e-324, 2.2250738585072014e-308, -1.5e-310, Number.MAX_VALUE, 1 / 3);

function bits(array: Float64Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString("hex");
}

function docWith(attrs: Record<string, unknown>): Document {
  const doc = new Document({ title: "t" });
  doc.add_root(new Model("Custom", attrs));
  return doc;
}

function reparse(doc: Document, mode: "inline" | "buffers"): Model {
  if (mode === "inline") return Document.from_json(JSON.parse(JSON.stringify(doc.to_json()))).roots[0];
  const { json, buffers } = doc.to_json_with_buffers();
  const wire = JSON.parse(JSON.stringify(json)) as DocJson;
  return Document.from_json(wire, new Map(buffers.map((b) => [b.id, b.data.slice()]))).roots[0];
}

describe("value encoding", () => {
  it("writes a Float64Array as a little-endian ndarray, inline gzip + base64 by default (as BokehJS 3.10 reads it)", () => {
    const encoded = new Serializer().encode(Float64Array.of(1, 2));
    expect(encoded).toEqual({
      type: "ndarray",
      array: { type: "bytes", data: gzipSync(Buffer.from(Float64Array.of(1, 2).buffer)).toString("base64") },
      shape: [2],
      dtype: "float64",
      order: "little",
    });
  });

  it.each(["inline", "buffers"] as const)("keeps every bit of float64 data (%s): -0, NaN, subnormals", (mode) => {
    const back = reparse(docWith({ values: TRICKY }), mode).get<Float64Array>("values");
    expect(back).toBeInstanceOf(Float64Array);
    expect(bits(back)).toBe(bits(TRICKY));
    expect(Object.is(back[0], -0)).toBe(true);
  });

  it("sends arrays from the threshold on as buffers referenced by id", () => {
    const doc = docWith({ small: Float64Array.of(1), big: new Float64Array(100) });
    const { json, buffers } = doc.to_json_with_buffers({ threshold: 100 });
    const attrs = (json.roots[0] as { attributes: Record<string, { array: { data: unknown } }> }).attributes;
    expect(typeof attrs.small.array.data).toBe("string");
    expect(attrs.big.array.data).toEqual({ id: buffers[0].id });
    expect(buffers).toHaveLength(1);
    expect(buffers[0].data.byteLength).toBe(800);
  });

  it.each([Float32Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array])(
    "round-trips %o with its dtype",
    (ctor) => {
      const array = ctor.of(0, 1, 2, 127);
      const back = reparse(docWith({ a: array }), "buffers").get("a");
      expect(back).toBeInstanceOf(ctor);
      expect(back).toEqual(array);
    },
  );

  it("writes NaN and infinities as number tags and reads them back", () => {
    const doc = docWith({ left: NaN, hi: Infinity, lo: -Infinity, n: 1.5 });
    expect((doc.to_json().roots[0] as { attributes: unknown }).attributes).toEqual({
      left: { type: "number", value: "nan" },
      hi: { type: "number", value: "+inf" },
      lo: { type: "number", value: "-inf" },
      n: 1.5,
    });
    const back = reparse(doc, "inline");
    expect(back.get("left")).toBeNaN();
    expect(back.get("hi")).toBe(Infinity);
    expect(back.get("lo")).toBe(-Infinity);
  });

  it("writes Map and Set as Bokeh map/set (empty ones without entries) and reads them back", () => {
    const doc = docWith({ m: new Map<unknown, unknown>([["a", 1], [2, [NaN]]]), s: new Set(["x"]), em: new Map(), es: new Set() });
    expect((doc.to_json().roots[0] as { attributes: unknown }).attributes).toEqual({
      m: { type: "map", entries: [["a", 1], [2, [{ type: "number", value: "nan" }]]] },
      s: { type: "set", entries: ["x"] },
      em: { type: "map" },
      es: { type: "set" },
    });
    const back = reparse(doc, "inline");
    expect(back.get("m")).toEqual(new Map<unknown, unknown>([["a", 1], [2, [NaN]]]));
    expect(back.get("s")).toEqual(new Set(["x"]));
    expect(back.get("em")).toEqual(new Map());
    expect(back.get("es")).toEqual(new Set());
  });

  it("keeps plain objects plain and passes tagged values through with inner values encoded", () => {
    const transform = new Model("CategoricalColorMapper");
    const doc = docWith({
      plain: { a: 1, b: [true, null] },
      field: { type: "field", field: "x", transform },
      value: { type: "value", value: NaN },
      slice: { type: "slice", start: 1, stop: null, step: 2 },
      custom: { type: "unknown_tag", payload: { deep: [1] } },
      explicit: { type: "object", attributes: { type: 3 } },
    });
    const attrs = (doc.to_json().roots[0] as { attributes: Record<string, unknown> }).attributes;
    expect(attrs.plain).toEqual({ a: 1, b: [true, null] });
    expect(attrs.field).toEqual({ type: "field", field: "x", transform: { type: "object", name: "CategoricalColorMapper", id: transform.id } });
    expect(attrs.value).toEqual({ type: "value", value: { type: "number", value: "nan" } });
    const back = reparse(doc, "inline");
    expect(back.get<{ transform: Model }>("field").transform.type).toBe("CategoricalColorMapper");
    expect({ ...reparse(doc, "inline").document!.to_json(), version: "x" }).toEqual({ ...doc.to_json(), version: "x" });
  });

  it("keeps n-d and odd-dtype arrays as NDArray, byte for byte", () => {
    const bool = new NDArray({ data: Uint8Array.of(1, 0, 1), dtype: "bool", shape: [3] });
    const grid = new NDArray({ data: Float64Array.of(1, 2, 3, 4, 5, 6), dtype: "float64", shape: [2, 3] });
    const objects = new NDArray({ data: ["a", 1, null], dtype: "object", shape: [3] });
    const back = reparse(docWith({ bool, grid, objects }), "buffers");
    for (const [key, original] of [["bool", bool], ["grid", grid], ["objects", objects]] as const) {
      const value = back.get<NDArray>(key);
      expect(value).toBeInstanceOf(NDArray);
      expect(value.dtype).toBe(original.dtype);
      expect(value.shape).toEqual(original.shape);
      expect(value.data).toEqual(original.data);
    }
    expect(back.get<NDArray>("grid").flat()).toEqual(Float64Array.of(1, 2, 3, 4, 5, 6));
  });

  it("decodes typed_array, big-endian ndarray, bytes and explicit refs", () => {
    const decoder = new Deserializer();
    const le = Buffer.from(Float32Array.of(1.5, -2).buffer).toString("base64");
    expect(decoder.decode({ type: "typed_array", array: { type: "bytes", data: le }, order: "little", dtype: "float32" })).toEqual(
      Float32Array.of(1.5, -2),
    );
    const be = Buffer.from([0x00, 0x01, 0x00, 0x02]).toString("base64");
    expect(decoder.decode({ type: "ndarray", array: { type: "bytes", data: be }, shape: [2], dtype: "uint16", order: "big" })).toEqual(
      Uint16Array.of(1, 2),
    );
    const raw = decoder.decode({ type: "bytes", data: Buffer.from([7, 8]).toString("base64") });
    expect(raw).toBeInstanceOf(ArrayBuffer);
    expect(new Uint8Array(raw as ArrayBuffer)).toEqual(Uint8Array.of(7, 8));
    expect(new Serializer().encode(raw)).toEqual({ type: "bytes", data: gzipSync(Buffer.from([7, 8])).toString("base64") });
    // Gzipped inline bytes (BokehJS 3.10) decode too, and plain bytes that merely start like gzip stay as they are.
    const zipped = decoder.decode({ type: "bytes", data: gzipSync(Buffer.from([7, 8])).toString("base64") });
    expect(new Uint8Array(zipped as ArrayBuffer)).toEqual(Uint8Array.of(7, 8));
    const lookalike = Uint8Array.from({ length: 20 }, (_, i) => [0x1f, 0x8b, 0x08][i] ?? i);
    const kept = decoder.decode({ type: "bytes", data: Buffer.from(lookalike).toString("base64") });
    expect(new Uint8Array(kept as ArrayBuffer)).toEqual(lookalike);
  });

  it("refuses values that have no Bokeh encoding", () => {
    expect(() => new Serializer().encode(() => 1)).toThrow(DocumentError);
    expect(() => new Serializer().encode(new DataView(new ArrayBuffer(2)))).toThrow(/no Bokeh dtype/);
  });
});

describe("model references", () => {
  it("writes a model in full once, then as {id}, and omits empty attributes", () => {
    const shared = new Model("Shared");
    const root = new Model("Root", { a: shared, b: [shared] });
    expect(new Serializer().encode(root)).toEqual({
      type: "object",
      name: "Root",
      id: root.id,
      attributes: { a: { type: "object", name: "Shared", id: shared.id }, b: [{ id: shared.id }] },
    });
  });

  it("resolves forward references within a document", () => {
    const json: DocJson = {
      version: "3.6.0",
      title: "fwd",
      roots: [
        { type: "object", name: "Row", id: "p5", attributes: { children: [{ id: "p7" }] } },
        { type: "object", name: "Div", id: "p7", attributes: { text: "later", self: { id: "p7" } } },
      ],
    };
    const doc = Document.from_json(json);
    const [row, div] = doc.roots;
    expect(row.get<Model[]>("children")[0]).toBe(div);
    expect(div.get("self")).toBe(div);
    expect(div.get("text")).toBe("later");
  });

  it("fails on a reference to a model that is never defined", () => {
    const json: DocJson = { version: "3.6.0", title: "", roots: [{ type: "object", name: "Row", id: "p1", attributes: { child: { id: "nope" } } }] };
    expect(() => Document.from_json(json)).toThrow(expect.objectContaining({ code: "unknown_model" }));
  });

  it("fails on a missing buffer", () => {
    const json: DocJson = {
      version: "3.6.0",
      title: "",
      roots: [{ type: "object", name: "X", id: "p1", attributes: { a: { type: "ndarray", array: { type: "bytes", data: { id: "b9" } }, shape: [1], dtype: "float64", order: "little" } } }],
    };
    expect(() => Document.from_json(json)).toThrow(expect.objectContaining({ code: "unknown_buffer" }));
  });

  it("moves the id counter past parsed p<digits> ids so new models never collide", () => {
    Document.from_json({ version: "3.6.0", title: "", roots: [{ type: "object", name: "X", id: "p987654" }] });
    const next = Number(nextId().slice(1));
    expect(next).toBeGreaterThan(987654);
    expect(Number(new Model("Y").id.slice(1))).toBeGreaterThan(next);
  });

  it("keeps custom model names and unknown top-level keys untouched", () => {
    const json: DocJson = {
      version: "3.6.0",
      title: "custom",
      config: { type: "object", name: "DocumentConfig", id: "p900001", attributes: { reconnect_session: true } },
      defs: [{ type: "model", name: "my.Custom", properties: [{ name: "n", kind: "Any", default: 0 }] }],
      callbacks: { type: "map" },
      roots: [{ type: "object", name: "my.Custom", id: "p900002", attributes: { n: 3 } }],
    };
    const doc = Document.from_json(json);
    expect(doc.roots[0].type).toBe("my.Custom");
    expect({ ...doc.to_json(), version: "3.6.0" }).toEqual(json);
    expect(Number(nextId().slice(1))).toBeGreaterThan(900002);
  });

  it("rejects documents without roots", () => {
    expect(() => Document.from_json({ title: "x" } as unknown as DocJson)).toThrow(expect.objectContaining({ code: "bad_document" }));
  });
});
