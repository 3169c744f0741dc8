import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Document, DocumentError, Model, curdoc, runWithDocument } from "../../../shared/document/index.ts";
import { TRAFFIC_DIR, readTraffic } from "./traffic.ts";

const browser = readTraffic(join(TRAFFIC_DIR, "browser_session.json"));
const pulled = browser.find((m) => m.header.msgtype === "PULL-DOC-REPLY")!.content.doc;
const clientPatch = (kind: string, name?: string) =>
  browser.find(
    (m) =>
      m.dir === "client->server" &&
      m.header.msgtype === "PATCH-DOC" &&
      m.content.events[0].kind === kind &&
      (name === undefined || m.content.events[0].msg_data?.name === name),
  )!.content;

function rootedModel(): { doc: Document; model: Model } {
  const model = new Model("Slider", { value: 1 });
  const doc = new Document();
  doc.add_root(model);
  return { doc, model };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("model callbacks", () => {
  it("on_change fires with attr, old and new; the setter rides on the document event", () => {
    const { doc, model } = rootedModel();
    const calls: unknown[] = [];
    const setters: unknown[] = [];
    model.on_change(["value", "title"], (attr, old, value) => void calls.push([attr, old, value]));
    doc.on_change((ev) => void setters.push(ev.setter));
    model.set("value", 2, "conn-1");
    model.set("value", 2, "conn-1");
    model.set("title", "t");
    expect(calls).toEqual([["value", 1, 2], ["title", undefined, "t"]]);
    expect(setters).toEqual(["conn-1", undefined]);
  });

  it("on_event fires for a real button_click and subscribes the event name", async () => {
    const doc = Document.from_json(pulled);
    const button = doc.get_model_by_id("p1256")!;
    button.set("subscribed_events", new Set());
    const seen: string[] = [];
    button.on_event("button_click", (ev) => void seen.push(`${ev.name}:${ev.model?.id}`));
    expect(button.get("subscribed_events")).toEqual(new Set(["button_click"]));
    await doc.apply_json_patch(clientPatch("MessageSent", "button_click"));
    expect(seen).toEqual(["button_click:p1256"]);
  });

  it("document-level on_event receives document_ready", async () => {
    const doc = Document.from_json(pulled);
    const seen: unknown[] = [];
    doc.on_event("document_ready", (ev) => void seen.push(ev.name));
    await doc.apply_json_patch(clientPatch("MessageSent", "document_ready"));
    expect(seen).toEqual(["document_ready"]);
  });

  it("a throwing callback goes to the error handler and the rest of the patch still applies", async () => {
    const doc = Document.from_json(pulled);
    const errors: Array<[unknown, string]> = [];
    doc.set_error_handler((err, where) => void errors.push([err, where]));
    const range = doc.get_model_by_id("p1222")!;
    range.on_change("start", () => {
      throw new Error("boom");
    });
    await doc.apply_json_patch(clientPatch("ModelChanged"));
    expect(range.get("start")).toBe(-0.6283185307179595);
    expect(range.get("end")).toBe(13.194689145077131);
    expect(errors).toEqual([[new Error("boom"), "on_change(start) of DataRange1d p1222"]]);
  });

  it("waits for async callbacks and routes their rejections; the default handler keeps errors", async () => {
    const { doc, model } = rootedModel();
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let finished = false;
    model.on_change("value", async () => {
      await gate;
      finished = true;
    });
    model.on_change("value", async () => {
      throw new Error("late");
    });
    let settled = false;
    const applied = doc.apply_json_patch({ events: [{ kind: "ModelChanged", model: { id: model.id }, attr: "value", new: 5 }] });
    void applied.then(() => (settled = true));
    expect(model.get("value")).toBe(5);
    for (let i = 0; i < 5; i++) await Promise.resolve();
    expect(settled).toBe(false);
    release();
    await applied;
    expect(finished).toBe(true);
    expect(doc.callback_errors).toEqual([{ error: new Error("late"), where: `on_change(value) of Slider ${model.id}` }]);
  });

  it("a failing document listener does not stop the change", () => {
    const { doc, model } = rootedModel();
    doc.on_change(() => {
      throw new Error("listener");
    });
    const unsubscribed: unknown[] = [];
    const off = doc.on_change((ev) => void unsubscribed.push(ev));
    off();
    model.set("value", 3);
    expect(model.get("value")).toBe(3);
    expect(doc.callback_errors.map((e) => e.where)).toEqual(["document on_change listener"]);
    expect(unsubscribed).toEqual([]);
  });
});

describe("curdoc", () => {
  it("throws outside a document context", () => {
    expect(() => curdoc()).toThrow(DocumentError);
    expect(() => curdoc()).toThrow(/outside a session/);
  });

  it("is the document inside runWithDocument, across awaits, and inside callbacks", async () => {
    vi.useFakeTimers();
    const { doc, model } = rootedModel();
    const seen: Document[] = [];
    await runWithDocument(doc, async () => {
      seen.push(curdoc());
      await Promise.resolve();
      seen.push(curdoc());
    });
    model.on_change("value", () => void seen.push(curdoc()));
    model.on_event("tap", () => void seen.push(curdoc()));
    doc.add_timeout_callback(() => void seen.push(curdoc()), 10);
    await doc.apply_json_patch({ events: [{ kind: "ModelChanged", model: { id: model.id }, attr: "value", new: 9 }] });
    await doc.apply_json_patch({
      events: [{ kind: "MessageSent", msg_type: "bokeh_event", msg_data: { type: "event", name: "tap", values: { type: "map", entries: [["model", { id: model.id }], ["x", 1]] } } }],
    });
    vi.advanceTimersByTime(10);
    expect(seen).toHaveLength(5);
    expect(seen.every((d) => d === doc)).toBe(true);
  });
});

describe("session callbacks", () => {
  it("periodic, timeout and next-tick callbacks fire; removal stops them", () => {
    vi.useFakeTimers();
    const doc = new Document();
    const calls: string[] = [];
    const periodic = doc.add_periodic_callback(() => void calls.push("p"), 100);
    doc.add_timeout_callback(() => void calls.push("t"), 250);
    const removed = doc.add_timeout_callback(() => void calls.push("never"), 50);
    doc.add_next_tick_callback(() => void calls.push("n"));
    expect(doc.remove_timeout_callback(removed)).toBe(true);
    expect(doc.remove_periodic_callback(removed)).toBe(false);
    vi.advanceTimersByTime(300);
    expect(calls).toEqual(["n", "p", "p", "t", "p"]);
    expect(doc.remove_periodic_callback(periodic)).toBe(true);
    vi.advanceTimersByTime(1000);
    expect(calls).toHaveLength(5);
  });

  it("routes every invocation through the callback invoker", async () => {
    vi.useFakeTimers();
    const doc = new Document();
    const order: string[] = [];
    doc.set_callback_invoker(async (cb) => {
      order.push("lock");
      await cb();
      order.push("unlock");
    });
    doc.add_timeout_callback(async () => {
      order.push("cb");
    }, 1);
    await vi.advanceTimersByTimeAsync(1);
    expect(order).toEqual(["lock", "cb", "unlock"]);
  });

  it("errors of timer callbacks go to the error handler", async () => {
    vi.useFakeTimers();
    const doc = new Document();
    doc.add_timeout_callback(() => {
      throw new Error("sync");
    }, 1);
    doc.add_timeout_callback(() => Promise.reject(new Error("async")), 2);
    await vi.advanceTimersByTimeAsync(2);
    expect(doc.callback_errors).toEqual([
      { error: new Error("sync"), where: "timeout_callback" },
      { error: new Error("async"), where: "timeout_callback" },
    ]);
  });

  it("destroy clears every timer and runs the session-destroyed callbacks once", async () => {
    vi.useFakeTimers();
    const doc = new Document();
    const calls: unknown[] = [];
    doc.add_periodic_callback(() => void calls.push("p"), 10);
    doc.add_timeout_callback(() => void calls.push("t"), 10);
    doc.add_next_tick_callback(() => void calls.push("n"));
    doc.on_session_destroyed((d) => void calls.push(d === doc ? "destroyed" : "wrong doc"));
    expect(vi.getTimerCount()).toBe(3);
    await doc.destroy();
    await doc.destroy();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(calls).toEqual(["destroyed"]);
    expect(() => doc.add_timeout_callback(() => 0, 1)).toThrow(expect.objectContaining({ code: "destroyed" }));
  });
});
