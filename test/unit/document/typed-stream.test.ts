import { describe, expect, it } from "vitest";
import { Document, serializeEvents, type DocumentChangedEvent } from "../../../shared/document/index.ts";
import { ColumnDataSource } from "../../../shared/models/index.ts";

/** A document with one source whose `x` column is a Float64Array and `label` a list of strings. */
function typedDoc(): { doc: Document; source: ColumnDataSource; events: DocumentChangedEvent[] } {
  const doc = new Document();
  const source = new ColumnDataSource({ data: { x: new Float64Array([1, 2]), label: ["a", "b"] } });
  doc.add_root(source);
  const events: DocumentChangedEvent[] = [];
  doc.on_change((ev) => events.push(ev));
  return { doc, source, events };
}

const xs = (n: number) => Array.from({ length: n }, (_, i) => i + 0.5);

describe("streamed rows for typed columns travel as binary buffers", () => {
  it("source.stream: plain numbers for a Float64 column become a Float64Array in the event, sent as a buffer", () => {
    const { doc, source, events } = typedDoc();
    source.stream({ x: xs(100), label: Array(100).fill("z") });
    const ev = events[0] as Extract<DocumentChangedEvent, { kind: "ColumnsStreamed" }>;
    expect(ev.data.get("x")).toBeInstanceOf(Float64Array);
    expect(ev.data.get("label")).toEqual(Array(100).fill("z"));
    const wire = serializeEvents(events, doc, { threshold: 64 });
    expect(wire.buffers).toHaveLength(1);
    expect(wire.buffers[0]!.data.byteLength).toBe(800);
    expect(source.get<Map<string, unknown>>("data").get("x")).toBeInstanceOf(Float64Array);
  });

  it("apply_json_patch (a stream from the HTTP API or a script): the same, and the values are kept", async () => {
    const { doc, source, events } = typedDoc();
    await doc.apply_json_patch({
      events: [{ kind: "ColumnsStreamed", model: { id: source.id }, attr: "data", data: { type: "map", entries: [["x", xs(50)], ["label", Array(50).fill("q")]] }, rollover: null }],
    });
    const ev = events[0] as Extract<DocumentChangedEvent, { kind: "ColumnsStreamed" }>;
    expect([...(ev.data.get("x") as Float64Array)]).toEqual(xs(50));
    expect(serializeEvents(events, doc, { threshold: 64 }).buffers).toHaveLength(1);
    expect([...(source.get<Map<string, unknown>>("data").get("x") as Float64Array)]).toEqual([1, 2, ...xs(50)]);
  });

  it("a plain list column stays a list, and a non-number value is left as given", () => {
    const doc = new Document();
    const source = new ColumnDataSource({ data: { x: [1, 2], y: new Float64Array([1, 2]) } });
    doc.add_root(source);
    const events: DocumentChangedEvent[] = [];
    doc.on_change((ev) => events.push(ev));
    source.stream({ x: [3], y: [null as unknown as number] });
    const ev = events[0] as Extract<DocumentChangedEvent, { kind: "ColumnsStreamed" }>;
    expect(ev.data.get("x")).toEqual([3]);
    expect(ev.data.get("y")).toEqual([null]);
  });
});
