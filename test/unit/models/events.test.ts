import { describe, expect, it } from "vitest";
import { Document } from "../../../shared/document/index.ts";
import { ColumnDataSource, EVENT_ALIASES, canonicalEventName, figure, type UIEvent } from "../../../shared/models/index.ts";

/** The PATCH-DOC BokehJS sends for a UI event (values as a map, nested objects as maps too). */
function uiEvent(modelId: string | null, name: string, values: Array<[string, unknown]>) {
  const entries = modelId === null ? values : [["model", { id: modelId }], ...values];
  return { events: [{ kind: "MessageSent", msg_type: "bokeh_event", msg_data: { type: "event", name, values: { type: "map", entries } } }] };
}

describe("typed events", () => {
  it("on_event subscribes BokehJS's event name (Python aliases accepted) and hands typed fields, maps as objects", async () => {
    const p = figure();
    const doc = new Document();
    doc.add_root(p);
    const taps: Array<UIEvent<"tap">> = [];
    const geometries: unknown[] = [];
    p.on_event("tap", (ev) => void taps.push(ev));
    p.on_event("selection_geometry", (ev) => void geometries.push([ev.name, ev.geometry, ev.final]));
    expect(p.get("subscribed_events")).toEqual(new Set(["tap", "selectiongeometry"]));

    const modifiers = { type: "map", entries: [["shift", true], ["ctrl", false], ["alt", false]] };
    await doc.apply_json_patch(uiEvent(p.id, "tap", [["sx", 10], ["sy", 20], ["x", 1.5], ["y", -2], ["modifiers", modifiers]]));
    expect(taps).toHaveLength(1);
    expect(taps[0]).toMatchObject({ name: "tap", model: p, x: 1.5, y: -2, sx: 10, sy: 20, modifiers: { shift: true, ctrl: false, alt: false } });
    expect(taps[0].values).toEqual({ sx: 10, sy: 20, x: 1.5, y: -2, modifiers: { shift: true, ctrl: false, alt: false } });

    const geometry = { type: "map", entries: [["type", "rect"], ["sx0", 1], ["sx1", 2], ["sy0", 3], ["sy1", 4], ["x0", 0.1], ["x1", 0.2], ["y0", 0.3], ["y1", 0.4]] };
    await doc.apply_json_patch(uiEvent(p.id, "selectiongeometry", [["geometry", geometry], ["final", true]]));
    expect(geometries).toEqual([["selectiongeometry", { type: "rect", sx0: 1, sx1: 2, sy0: 3, sy1: 4, x0: 0.1, x1: 0.2, y0: 0.3, y1: 0.4 }, true]]);
  });

  it("every alias names a BokehJS event; unknown names pass through", () => {
    for (const [alias, name] of Object.entries(EVENT_ALIASES)) expect(canonicalEventName(alias)).toBe(name);
    expect(canonicalEventName("my_custom_event")).toBe("my_custom_event");
  });

  it("document_ready reaches doc.on_event; selections made in the browser reach selected.on_change('indices')", async () => {
    const source = new ColumnDataSource({ data: { x: [1, 2, 3] } });
    const doc = new Document();
    doc.add_root(source);
    const seen: unknown[] = [];
    doc.on_event("document_ready", (ev) => void seen.push(ev.name));
    source.selected.on_change("indices", (_attr, old, indices) => void seen.push([old, indices]));
    await doc.apply_json_patch(uiEvent(null, "document_ready", []));
    await doc.apply_json_patch({ events: [{ kind: "ModelChanged", model: { id: source.selected.id }, attr: "indices", new: [0, 2] }] });
    expect(seen).toEqual(["document_ready", [[], [0, 2]]]);
    expect(source.selected.indices).toEqual([0, 2]);
  });

  it("unsubscribing stops the callbacks", async () => {
    const p = figure();
    const doc = new Document();
    doc.add_root(p);
    let n = 0;
    const off = p.on_event("double_tap", () => void n++);
    await doc.apply_json_patch(uiEvent(p.id, "doubletap", [["x", 0], ["y", 0], ["sx", 0], ["sy", 0]]));
    off();
    await doc.apply_json_patch(uiEvent(p.id, "doubletap", [["x", 0], ["y", 0], ["sx", 0], ["sy", 0]]));
    expect(n).toBe(1);
  });
});
