import { describe, expect, it } from "vitest";
import { ColumnDataSource, Document, Model, Slider, column, figure } from "../../../shared/index.ts";
import { emptyPending, eventsTowardLocal, eventsTowardServer, notePending, sameValue } from "../../../client/resync.ts";

/** A document with a source and a slider, and a copy of it as the server would have it (same ids). */
function pair() {
  const source = new ColumnDataSource({ data: { x: [0, 1], y: [0, 1] } });
  const p = figure();
  p.line({ x: "x", y: "y", source });
  const slider = new Slider({ start: 0, end: 10, value: 1, step: 1 });
  const local = new Document();
  local.add_root(column(slider, p));
  const server = Document.from_json(local.to_json());
  return { local, server, source, slider };
}

/** Records the local changes made by `fn` as pending keys. */
function pendingOf(doc: Document, fn: () => void) {
  const pending = emptyPending();
  const off = doc.on_change((ev) => notePending(pending, ev));
  fn();
  off();
  return pending;
}

describe("resync after a reconnect", () => {
  it("finds nothing to do for a document and its serialized copy", () => {
    const { local, server } = pair();
    expect(eventsTowardServer(local, server, emptyPending())).toEqual([]);
    expect(eventsTowardLocal(local, server, emptyPending())).toEqual([]);
  });

  it("sends a stream in flight once whether or not the server applied it (values, not operations)", () => {
    const { local, server, source } = pair();
    const pending = pendingOf(local, () => source.stream({ x: [2], y: [4] }));
    // The server did not get it: the resulting columns are sent.
    const toServer = eventsTowardLocal(local, server, pending);
    expect(toServer).toHaveLength(1);
    expect(toServer[0]).toMatchObject({ kind: "ModelChanged", model: { id: source.id }, attr: "data" });
    server.apply_json_patch({ events: toServer });
    expect(sameValue(server.get_model_by_id(source.id)!.get("data"), source.get("data"))).toBe(true);
    // The server had applied it already: nothing is sent again.
    expect(eventsTowardLocal(local, server, pending)).toEqual([]);
  });

  it("applies what others changed meanwhile, except what this client's pending changes hold", () => {
    const { local, server, source, slider } = pair();
    (server.get_model_by_id(slider.id) as Slider).value = 7; // a viewer moved the slider
    (server.get_model_by_id(source.id) as ColumnDataSource).data = { x: [9], y: [9] }; // and replaced the data
    server.add_root(new Model("Div", { text: "new root" }));
    const pending = pendingOf(local, () => source.stream({ x: [2], y: [4] }));
    const toLocal = eventsTowardServer(local, server, pending);
    expect(toLocal.map((e) => (e as { kind: string }).kind).sort()).toEqual(["ModelChanged", "RootAdded"]);
    local.apply_json_patch({ events: toLocal });
    expect(slider.value).toBe(7);
    expect(local.roots).toHaveLength(2);
    expect(source.data).toEqual({ x: [0, 1, 2], y: [0, 1, 4] }); // pending: this client's value wins
    const toServer = eventsTowardLocal(local, server, pending);
    expect(toServer).toEqual([expect.objectContaining({ attr: "data" })]);
  });

  it("writes models the server lacks in full, and compares values structurally", () => {
    const { local, server, slider } = pair();
    const pending = pendingOf(local, () => slider.set("js_property_callbacks", new Map([["change:value", [new Model("CustomJS", { code: "1" })]]])));
    const [event] = eventsTowardLocal(local, server, pending) as Array<{ new: unknown }>;
    expect(JSON.stringify(event.new)).toContain('"name":"CustomJS"');
    expect(sameValue(new Float64Array([1, NaN]), new Float64Array([1, NaN]))).toBe(true);
    expect(sameValue(new Float64Array([1]), new Float32Array([1]))).toBe(false);
    expect(sameValue(new Map([["a", [1, { b: new Set([2]) }]]]), new Map([["a", [1, { b: new Set([2]) }]]]))).toBe(true);
    expect(sameValue({ a: 1 }, { a: 1, b: 2 })).toBe(false);
  });
});
