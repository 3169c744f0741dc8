import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Document, Model, type BokehEvent, type DocumentChangedEvent } from "../../../shared/document/index.ts";
import { TRAFFIC_DIR, readTraffic, type RecordedMessage } from "./traffic.ts";

function session(file: string): { doc: Document; messages: RecordedMessage[] } {
  const messages = readTraffic(join(TRAFFIC_DIR, file));
  const reply = messages.find((m) => m.header.msgtype === "PULL-DOC-REPLY")!;
  return { doc: Document.from_json(reply.content.doc), messages };
}

function patches(messages: RecordedMessage[], dir: RecordedMessage["dir"]): RecordedMessage[] {
  return messages.filter((m) => m.dir === dir && m.header.msgtype === "PATCH-DOC");
}

function float64(bytes: Uint8Array): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float64Array.from({ length: bytes.byteLength / 8 }, (_, i) => view.getFloat64(i * 8, true));
}

describe("apply_json_patch with the real client events of a browser session", () => {
  it("applies every ModelChanged, with the setter on the emitted events", async () => {
    const { doc, messages } = session("browser_session.json");
    const emitted: DocumentChangedEvent[] = [];
    doc.on_change((ev) => emitted.push(ev));
    const expected = new Map<string, unknown>();
    for (const m of patches(messages, "client->server")) {
      for (const ev of m.content.events) if (ev.kind === "ModelChanged") expected.set(`${ev.model.id}.${ev.attr}`, ev.new);
      await doc.apply_json_patch(m.content, m.buffers, "browser");
    }
    expect(expected.size).toBeGreaterThan(10);
    for (const [key, value] of expected) {
      const [id, attr] = key.split(".");
      expect(doc.get_model_by_id(id)!.get(attr)).toBe(value);
    }
    expect(doc.get_model_by_id("p1255")!.get("value")).toBe(3);
    expect(doc.get_model_by_id("p1262")!.get("end")).toBe(10.5125);
    expect(doc.get_model_by_id("p1221")!.get("inner_width")).toBe(429);
    expect(emitted.length).toBeGreaterThan(0);
    expect(emitted.every((ev) => ev.setter === "browser")).toBe(true);
  });

  it("dispatches button_click to the button's on_event callbacks and document_ready to the document", async () => {
    const { doc, messages } = session("browser_session.json");
    const clicks: BokehEvent[] = [];
    const ready: BokehEvent[] = [];
    const button = doc.get_model_by_id("p1256")!;
    button.on_event("button_click", (ev) => void clicks.push(ev));
    doc.on_event("document_ready", (ev) => void ready.push(ev));
    for (const m of patches(messages, "client->server")) await doc.apply_json_patch(m.content, m.buffers, "browser");
    expect(clicks).toHaveLength(2);
    expect(clicks[0]).toEqual({ name: "button_click", model: button, values: {} });
    expect(ready).toEqual([{ name: "document_ready", model: null, values: {} }]);
  });

  it("applies the server's PATCH-DOCs: ColumnDataChanged with buffers, ColumnsStreamed, ModelChanged", async () => {
    const { doc, messages } = session("browser_session.json");
    let lastBuffers: Map<string, Uint8Array> | null = null;
    for (const m of patches(messages, "server->client")) {
      await doc.apply_json_patch(m.content, m.buffers);
      if (m.buffers.size > 0) lastBuffers = m.buffers;
    }
    const line = doc.get_model_by_id("p1218")!.get<Map<string, unknown>>("data");
    const [xBytes, yBytes] = [...lastBuffers!.values()];
    expect(line.get("x")).toBeInstanceOf(Float64Array);
    expect(line.get("x")).toEqual(float64(xBytes));
    expect(line.get("y")).toEqual(float64(yBytes));
    const x = line.get("x") as Float64Array;
    (line.get("y") as Float64Array).forEach((y, i) => expect(y).toBeCloseTo(Math.sin(x[i]), 12));
    const stream = doc.get_model_by_id("p1258")!.get<Map<string, unknown>>("data");
    expect(stream.get("t")).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect((stream.get("v") as number[])[9]).toBe(-0.1905679628754854);
    expect(doc.get_model_by_id("p1257")!.get("text")).toBe("clicks: 2");
    expect(doc.get_model_by_id("p1255")!.get("value")).toBe(1.0);
  });

  it("reproduces the python client's slider change: new columns arrive as buffers with sin(2.5 x)", async () => {
    const { doc, messages } = session("pull_session.json");
    const [withBuffers] = patches(messages, "server->client").filter((m) => m.buffers.size === 2);
    const emitted: DocumentChangedEvent[] = [];
    doc.on_change((ev) => emitted.push(ev));
    await doc.apply_json_patch(withBuffers.content, withBuffers.buffers, "server");
    const data = doc.get_model_by_id("p1103")!.get<Map<string, Float64Array>>("data");
    const x = data.get("x")!;
    expect(x).toHaveLength(50);
    data.get("y")!.forEach((y, i) => expect(y).toBeCloseTo(Math.sin(2.5 * x[i]), 12));
    expect(emitted).toEqual([expect.objectContaining({ kind: "ColumnDataChanged", attr: "data", cols: null, setter: "server" })]);
  });
});

describe("apply_json_patch event kinds", () => {
  function smallDoc(): { doc: Document; source: Model; root: Model } {
    const source = new Model("ColumnDataSource", { data: new Map<string, unknown>([["a", [1, 2, 3, 4]], ["b", Float64Array.of(1, 2, 3, 4)]]) });
    const root = new Model("Row", { children: [], source });
    const doc = new Document({ title: "before" });
    doc.add_root(root);
    return { doc, source, root };
  }

  it("ColumnsPatched with an index and a slice", async () => {
    const { doc, source } = smallDoc();
    await doc.apply_json_patch({
      events: [
        {
          kind: "ColumnsPatched",
          model: { id: source.id },
          attr: "data",
          patches: {
            type: "map",
            entries: [
              ["a", [[0, 9], [{ type: "slice", start: 1, stop: 3, step: 1 }, [7, 8]]]],
              ["b", [[{ type: "slice", start: 0, stop: null, step: 2 }, [0.5, 0.25]]]],
            ],
          },
        },
      ],
    });
    const data = source.get<Map<string, unknown>>("data");
    expect(data.get("a")).toEqual([9, 7, 8, 4]);
    expect(data.get("b")).toEqual(Float64Array.of(0.5, 2, 0.25, 4));
  });

  it("ColumnsStreamed with rollover keeps typed columns typed", async () => {
    const { doc, source } = smallDoc();
    await doc.apply_json_patch({
      events: [{ kind: "ColumnsStreamed", model: { id: source.id }, attr: "data", data: { type: "map", entries: [["a", [5, 6]], ["b", [5, 6]]] }, rollover: 3 }],
    });
    const data = source.get<Map<string, unknown>>("data");
    expect(data.get("a")).toEqual([4, 5, 6]);
    expect(data.get("b")).toEqual(Float64Array.of(4, 5, 6));
  });

  it("ColumnDataChanged with cols updates only those columns", async () => {
    const { doc, source } = smallDoc();
    await doc.apply_json_patch({
      events: [{ kind: "ColumnDataChanged", model: { id: source.id }, attr: "data", data: { type: "map", entries: [["a", [0]], ["zzz", [1]]] }, cols: ["a"] }],
    });
    const data = source.get<Map<string, unknown>>("data");
    expect([...data.keys()]).toEqual(["a", "b"]);
    expect(data.get("a")).toEqual([0]);
  });

  it("RootAdded with new nested models, RootRemoved, TitleChanged and other MessageSent", async () => {
    const { doc, root } = smallDoc();
    const messages: unknown[] = [];
    doc.on_message("custom", (data) => void messages.push(data));
    await doc.apply_json_patch({
      events: [
        {
          kind: "RootAdded",
          model: { type: "object", name: "Div", id: "d1", attributes: { text: "hi", style: { type: "object", name: "Styles", id: "d2" }, peer: { id: root.id } } },
        },
        { kind: "ModelChanged", model: { id: "d2" }, attr: "color", new: "red" },
        { kind: "RootRemoved", model: { id: root.id } },
        { kind: "TitleChanged", title: "after" },
        { kind: "MessageSent", msg_type: "custom", msg_data: { type: "map", entries: [["k", 1]] } },
      ],
    });
    expect(doc.roots.map((r) => r.id)).toEqual(["d1"]);
    const div = doc.get_model_by_id("d1")!;
    expect(div.get("text")).toBe("hi");
    expect(div.get<Model>("style").get("color")).toBe("red");
    expect(div.get("peer")).toBe(root);
    expect(doc.title).toBe("after");
    expect(messages).toEqual([new Map([["k", 1]])]);
  });

  it.each([
    ["unknown kind", { kind: "Bogus" }, "unknown_event"],
    ["unknown model", { kind: "ModelChanged", model: { id: "p0" }, attr: "x", new: 1 }, "unknown_model"],
    ["missing attr", { kind: "ModelChanged", model: { id: "ROOT" }, new: 1 }, "bad_event"],
    ["bad rollover", { kind: "ColumnsStreamed", model: { id: "ROOT" }, attr: "data", data: { type: "map" }, rollover: -1 }, "bad_event"],
    ["event not an object", 42, "bad_event"],
  ])("rejects %s with a DocumentError and applies nothing of the batch", async (_name, bad, code) => {
    const { doc, root } = smallDoc();
    const event = JSON.parse(JSON.stringify(bad).replace("ROOT", root.id));
    const before = JSON.stringify(doc.to_json());
    await expect(
      doc.apply_json_patch({ events: [{ kind: "ModelChanged", model: { id: root.id }, attr: "x", new: 1 }, event] }),
    ).rejects.toMatchObject({ name: "DocumentError", code });
    expect(JSON.stringify(doc.to_json())).toBe(before);
  });

  it("rejects content that is not {events: [...]} and streams into a model without columns", async () => {
    const { doc, root } = smallDoc();
    await expect(doc.apply_json_patch({} as { events: unknown[] })).rejects.toMatchObject({ code: "bad_patch" });
    await expect(
      doc.apply_json_patch({ events: [{ kind: "ColumnsStreamed", model: { id: root.id }, attr: "data", data: { type: "map" }, rollover: null }] }),
    ).rejects.toMatchObject({ code: "bad_columns" });
  });
});
