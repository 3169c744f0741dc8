import { describe, expect, it } from "vitest";
import { Document, Model, Serializer, type DocumentChangedEvent } from "../../../shared/document/index.ts";
import { ColumnDataSource } from "../../../shared/models/index.ts";

function attached(data: Record<string, unknown[] | Float64Array>): { doc: Document; source: ColumnDataSource; events: DocumentChangedEvent[] } {
  const source = new ColumnDataSource({ data });
  const doc = new Document();
  doc.add_root(source);
  const events: DocumentChangedEvent[] = [];
  doc.on_change((ev) => events.push(ev));
  return { doc, source, events };
}

describe("ColumnDataSource", () => {
  it("writes selected and selection_policy explicitly, like Python, and data as a map", () => {
    const source = new ColumnDataSource({ data: { x: [1, 2] }, name: "src" });
    const json = new Serializer().encode(source) as { attributes: Record<string, unknown> };
    expect(Object.keys(json.attributes)).toEqual(["name", "selected", "selection_policy", "data"]);
    expect(json.attributes.selected).toMatchObject({ type: "object", name: "Selection", attributes: { indices: [], line_indices: [] } });
    expect(json.attributes.selection_policy).toMatchObject({ type: "object", name: "UnionRenderers" });
    expect(json.attributes.selection_policy).not.toHaveProperty("attributes");
    expect(json.attributes.data).toEqual({ type: "map", entries: [["x", [1, 2]]] });
  });

  it("can be called without new, like Python", () => {
    const source = ColumnDataSource({ data: { a: [] } });
    expect(source).toBeInstanceOf(ColumnDataSource);
    expect(source.column_names).toEqual(["a"]);
  });

  it("data returns the columns as a plain object; assigning data emits ColumnDataChanged with cols null", () => {
    const { source, events } = attached({ x: [1], y: Float64Array.of(2) });
    expect(source.data).toEqual({ x: [1], y: Float64Array.of(2) });
    source.data = { x: [5, 6] };
    expect(source.data).toEqual({ x: [5, 6] });
    expect(events).toEqual([
      expect.objectContaining({ kind: "ColumnDataChanged", model: source, attr: "data", data: new Map([["x", [5, 6]]]), cols: null }),
    ]);
  });

  it("stream appends, keeps typed columns typed, trims to rollover and emits only the new rows", () => {
    const { source, events } = attached({ t: [1, 2, 3], v: Float64Array.of(0.1, 0.2, 0.3) });
    const seen: unknown[] = [];
    source.on_change("data", (_attr, old, value) => void seen.push([(old as Map<string, unknown>).get("t"), (value as Map<string, unknown>).get("t")]));
    source.stream({ t: [4, 5], v: [0.4, 0.5] }, 4);
    expect(source.data).toEqual({ t: [2, 3, 4, 5], v: Float64Array.of(0.2, 0.3, 0.4, 0.5) });
    expect(events).toEqual([
      expect.objectContaining({ kind: "ColumnsStreamed", data: new Map<string, unknown>([["t", [4, 5]], ["v", [0.4, 0.5]]]), rollover: 4 }),
    ]);
    expect(seen).toEqual([[[1, 2, 3], [2, 3, 4, 5]]]);
    source.stream({ t: Float64Array.of(6), v: Float64Array.of(0.6) });
    expect(source.data.t).toEqual([2, 3, 4, 5, 6]);
    expect(source.data.v).toEqual(Float64Array.of(0.2, 0.3, 0.4, 0.5, 0.6));
    expect(events[1]).toMatchObject({ kind: "ColumnsStreamed", rollover: null });
  });

  it("stream refuses missing or extra columns and uneven lengths, changing nothing", () => {
    const { source, events } = attached({ a: [1], b: [2] });
    expect(() => source.stream({ a: [1] })).toThrow(expect.objectContaining({ code: "bad_columns", message: expect.stringMatching(/missing: b/) }));
    expect(() => source.stream({ a: [1], b: [2], c: [3] })).toThrow(/extra: c/);
    expect(() => source.stream({ a: [1, 2], b: [2] })).toThrow(/same length/);
    expect(source.data).toEqual({ a: [1], b: [2] });
    expect(events).toEqual([]);
  });

  it("patch replaces values at an index and over a slice, copying the columns it changes", () => {
    const original = [10, 20, 30, 40, 50];
    const { source, events } = attached({ a: original, b: Float64Array.of(1, 2, 3) });
    source.patch({ a: [[0, 11], [{ start: 1, stop: 5, step: 2 }, [21, 41]]], b: [[{ start: 1 }, [8, 9]]] });
    expect(source.data).toEqual({ a: [11, 21, 30, 41, 50], b: Float64Array.of(1, 8, 9) });
    expect(original).toEqual([10, 20, 30, 40, 50]);
    expect(events[0]).toMatchObject({
      kind: "ColumnsPatched",
      patches: new Map([
        ["a", [[0, 11], [{ type: "slice", start: 1, stop: 5, step: 2 }, [21, 41]]]],
        ["b", [[{ type: "slice", start: 1, stop: null, step: null }, [8, 9]]]],
      ]),
    });
  });

  it("patch refuses unknown columns, out-of-bounds indices and mismatched slices", () => {
    const { source } = attached({ a: [1, 2] });
    expect(() => source.patch({ z: [[0, 1]] })).toThrow(/existing columns/);
    expect(() => source.patch({ a: [[2, 1]] })).toThrow(/out of bounds/);
    expect(() => source.patch({ a: [[{ start: 0, stop: 2 }, [1]]] })).toThrow(/covers 2 rows but has 1/);
    expect(source.data).toEqual({ a: [1, 2] });
  });

  it("is what Document.from_json builds for a ColumnDataSource, and incoming streams use the same rules", async () => {
    const doc = new Document();
    doc.add_root(new ColumnDataSource({ data: { t: [], v: [] } }));
    const parsed = Document.from_json(doc.to_json());
    const source = parsed.roots[0] as ColumnDataSource;
    expect(source).toBeInstanceOf(ColumnDataSource);
    expect(source.get<Model>("selected").type).toBe("Selection");
    await parsed.apply_json_patch({
      events: [{ kind: "ColumnsStreamed", model: { id: source.id }, attr: "data", data: { type: "map", entries: [["t", [1, 2, 3]], ["v", [4, 5, 6]]] }, rollover: 2 }],
    });
    expect(source.data).toEqual({ t: [2, 3], v: [5, 6] });
  });

  it("takes typed arrays and dates (Date objects are written as epoch milliseconds, as Bokeh expects)", () => {
    const day = Date.UTC(2024, 0, 2);
    const source = new ColumnDataSource({ data: { n: Int32Array.of(1, 2), t: [new Date(day), day + 1] } });
    const json = new Serializer().encode(source) as { attributes: { data: { entries: Array<[string, unknown]> } } };
    const [n, t] = json.attributes.data.entries;
    expect(n).toEqual(["n", expect.objectContaining({ type: "ndarray", dtype: "int32", shape: [2] })]);
    expect(t).toEqual(["t", [day, day + 1]]);
  });

  it("exposes the selection as a typed Selection model", () => {
    const source = new ColumnDataSource({ data: { x: [1] } });
    expect(source.selected.indices).toEqual([]);
    expect(source.selected.type).toBe("Selection");
  });
});
