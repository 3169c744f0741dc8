import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Document, Model, serializeEvents, type DocumentChangedEvent } from "../../../shared/document/index.ts";
import { ColumnDataSource } from "../../../shared/models/index.ts";
import { TRAFFIC_DIR, readTraffic, type RecordedMessage } from "./traffic.ts";

function recorded(file: string): { doc: Document; serverPatches: RecordedMessage[] } {
  const messages = readTraffic(join(TRAFFIC_DIR, file));
  const reply = messages.find((m) => m.header.msgtype === "PULL-DOC-REPLY")!;
  const serverPatches = messages.filter((m) => m.dir === "server->client" && m.header.msgtype === "PATCH-DOC");
  return { doc: Document.from_json(reply.content.doc), serverPatches };
}

function collect(doc: Document): DocumentChangedEvent[] {
  const events: DocumentChangedEvent[] = [];
  doc.on_change((ev) => events.push(ev));
  return events;
}

describe("serializeEvents writes what Bokeh writes", () => {
  it("ModelChanged, as the server's Div update in the browser session", () => {
    const { doc, serverPatches } = recorded("browser_session.json");
    const events = collect(doc);
    doc.get_model_by_id("p1257")!.set("text", "clicks: 1");
    const original = serverPatches.find((m) => m.content.events[0].kind === "ModelChanged")!;
    expect(serializeEvents(events, doc)).toEqual({ json: original.content, buffers: [] });
  });

  it("ColumnsStreamed with rollover, as the periodic callback's stream", () => {
    const { doc, serverPatches } = recorded("pull_session.json");
    const events = collect(doc);
    (doc.get_model_by_id("p1143") as ColumnDataSource).stream({ t: [1], v: [0.32719469679615226] }, 20);
    const original = serverPatches.find((m) => m.content.events[0].kind === "ColumnsStreamed")!;
    expect(serializeEvents(events, doc).json).toEqual(original.content);
  });

  it("ColumnDataChanged with binary buffers, as the slider callback's data replacement", () => {
    const { doc, serverPatches } = recorded("pull_session.json");
    const original = serverPatches.find((m) => m.buffers.size === 2)!;
    const [xBytes, yBytes] = [...original.buffers.values()];
    const copy = (b: Uint8Array): Float64Array => new Float64Array(b.slice().buffer);
    const events = collect(doc);
    (doc.get_model_by_id("p1103") as ColumnDataSource).data = { x: copy(xBytes), y: copy(yBytes) };
    const { json, buffers } = serializeEvents(events, doc, { threshold: 0 });
    const ids = [...original.buffers.keys()];
    const renamed = JSON.parse(JSON.stringify(json).replaceAll(buffers[0].id, ids[0]).replaceAll(buffers[1].id, ids[1]));
    expect(renamed).toEqual(original.content);
    expect(buffers.map((b) => b.data)).toEqual([xBytes, yBytes]);
  });

  it("ColumnsPatched as in PROTOCOL.md", () => {
    const source = new ColumnDataSource({ data: { y: [1, 2, 3, 4] } });
    const doc = new Document();
    doc.add_root(source);
    const events = collect(doc);
    source.patch({ y: [[0, 9], [{ start: 1, stop: 3, step: 1 }, [4, 5]]] });
    expect(serializeEvents(events, doc).json).toEqual({
      events: [
        {
          kind: "ColumnsPatched",
          model: { id: source.id },
          attr: "data",
          patches: { type: "map", entries: [["y", [[0, 9], [{ type: "slice", start: 1, stop: 3, step: 1 }, [4, 5]]]]] },
        },
      ],
    });
  });

  it("RootAdded writes the new root in full, RootRemoved and TitleChanged as refs and text", () => {
    const doc = new Document();
    const events = collect(doc);
    const div = new Model("Div", { text: "hi" });
    doc.add_root(div);
    doc.title = "new";
    doc.remove_root(div);
    expect(serializeEvents(events, doc).json.events).toEqual([
      { kind: "RootAdded", model: { type: "object", name: "Div", id: div.id, attributes: { text: "hi" } } },
      { kind: "TitleChanged", title: "new" },
      { kind: "RootRemoved", model: { id: div.id } },
    ]);
  });

  it("MessageSent with its data encoded", () => {
    const doc = new Document();
    const events = collect(doc);
    doc.send_message("custom", { values: new Map([["a", NaN]]) });
    expect(serializeEvents(events, doc).json.events).toEqual([
      { kind: "MessageSent", msg_type: "custom", msg_data: { values: { type: "map", entries: [["a", { type: "number", value: "nan" }]] } } },
    ]);
  });
});

describe("which models are written in full", () => {
  function attachedDoc(): { doc: Document; root: Model; known: Model } {
    const known = new Model("Known");
    const root = new Model("Root", { known });
    const doc = new Document();
    doc.add_root(root);
    return { doc, root, known };
  }

  it("a ModelChanged whose new value is a new model writes it in full, and later occurrences as refs", () => {
    const { doc, root, known } = attachedDoc();
    const events = collect(doc);
    const child = new Model("Child", { peer: known });
    root.set("child", child);
    root.set("again", [child]);
    expect(serializeEvents(events, doc).json.events).toEqual([
      {
        kind: "ModelChanged",
        model: { id: root.id },
        attr: "child",
        new: { type: "object", name: "Child", id: child.id, attributes: { peer: { id: known.id } } },
      },
      { kind: "ModelChanged", model: { id: root.id }, attr: "again", new: [{ id: child.id }] },
    ]);
  });

  it("models attached by an earlier batch are refs in a later one", () => {
    const { doc, root } = attachedDoc();
    const events = collect(doc);
    const child = new Model("Child");
    root.set("child", child);
    serializeEvents(events.splice(0), doc);
    root.set("others", [child]);
    expect(serializeEvents(events, doc).json.events).toEqual([
      { kind: "ModelChanged", model: { id: root.id }, attr: "others", new: [{ id: child.id }] },
    ]);
  });

  it("a model detached and attached again is written in full", () => {
    const { doc, root } = attachedDoc();
    const events = collect(doc);
    const child = new Model("Child");
    root.set("child", child);
    root.set("child", null);
    events.splice(0);
    root.set("child", child);
    expect(serializeEvents(events, doc).json.events[0]).toMatchObject({ new: { type: "object", id: child.id } });
  });
});
