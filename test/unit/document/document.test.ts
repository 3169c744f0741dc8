import { describe, expect, it } from "vitest";
import { DEFAULT_TITLE, Document, DocumentError, Model, type DocumentChangedEvent } from "../../../shared/document/index.ts";

describe("Document models", () => {
  it("attaches models reachable from roots, including ones added later with set", () => {
    const doc = new Document();
    const inner = new Model("Inner");
    const root = new Model("Root", { items: [new Map([["k", inner]])] });
    doc.add_root(root);
    expect(doc.get_model_by_id(inner.id)).toBe(inner);
    expect(inner.document).toBe(doc);
    const later = new Model("Later", { deep: new Set([new Model("Deeper")]) });
    root.set("later", later);
    expect(later.document).toBe(doc);
    expect([...doc.models.values()].map((m) => m.type).sort()).toEqual(["Deeper", "Inner", "Later", "Root"]);
  });

  it("detaches models that are no longer reachable", () => {
    const doc = new Document();
    const child = new Model("Child");
    const root = new Model("Root", { child });
    doc.add_root(root);
    root.set("child", null);
    expect(child.document).toBeNull();
    expect(doc.get_model_by_id(child.id)).toBeNull();
    doc.remove_root(root);
    expect(root.document).toBeNull();
    expect(doc.models.size).toBe(0);
  });

  it("refuses a different instance with an existing id and leaves the attribute unchanged", () => {
    const doc = new Document();
    const a = new Model("A");
    const root = new Model("Root", { a });
    doc.add_root(root);
    const clash = new Model("B", {}, { id: a.id });
    expect(() => root.set("b", clash)).toThrow(expect.objectContaining({ code: "duplicate_id" }));
    expect(root.has("b")).toBe(false);
    expect(clash.document).toBeNull();
    expect(() => doc.add_root(new Model("C", {}, { id: root.id }))).toThrow(DocumentError);
    expect(doc.roots).toEqual([root]);
  });

  it("refuses a model that belongs to another document", () => {
    const shared = new Model("Shared");
    const first = new Document();
    first.add_root(shared);
    expect(() => new Document().add_root(new Model("Root", { shared }))).toThrow(expect.objectContaining({ code: "foreign_model" }));
  });

  it("finds models by name and refuses ambiguous names", () => {
    const doc = new Document();
    doc.add_root(new Model("Row", { children: [new Model("Div", { name: "a" }), new Model("Div", { name: "b" }), new Model("Div", { name: "b" })] }));
    expect(doc.get_model_by_name("a")?.get("name")).toBe("a");
    expect(doc.get_model_by_name("zzz")).toBeNull();
    expect(() => doc.get_model_by_name("b")).toThrow(expect.objectContaining({ code: "duplicate_name" }));
  });

  it("emits root and title events only for real changes", () => {
    const doc = new Document();
    expect(doc.title).toBe(DEFAULT_TITLE);
    const events: DocumentChangedEvent[] = [];
    doc.on_change((ev) => events.push(ev));
    const root = new Model("Div");
    doc.add_root(root, "s1");
    doc.add_root(root);
    doc.title = DEFAULT_TITLE;
    doc.set_title("t", "s2");
    doc.remove_root(root);
    doc.remove_root(root);
    expect(events.map((e) => [e.kind, e.setter])).toEqual([
      ["RootAdded", "s1"],
      ["TitleChanged", "s2"],
      ["RootRemoved", undefined],
    ]);
  });

  it("emits no events for models that are not attached", () => {
    const doc = new Document();
    const events: DocumentChangedEvent[] = [];
    doc.on_change((ev) => events.push(ev));
    const loose = new Model("Loose");
    loose.set("x", 1);
    expect(events).toEqual([]);
    expect(loose.attributes).toEqual(new Map([["x", 1]]));
  });
});

describe("Model", () => {
  it("lists only explicitly set attributes and references itself and reachable models", () => {
    const leaf = new Model("Leaf");
    const model = new Model("Node", { a: 1, b: undefined, c: { nested: [leaf] } });
    expect([...model.attributes.keys()]).toEqual(["a", "c"]);
    expect(model.has("b")).toBe(false);
    expect(model.get<number>("a")).toBe(1);
    expect(model.references()).toEqual(new Set([model, leaf]));
    expect(model.id).toMatch(/^p\d+$/);
    expect(String(model)).toBe(`Node(id="${model.id}")`);
  });

  it("on_change returns an unsubscribe function", () => {
    const model = new Model("M");
    const seen: unknown[] = [];
    const off = model.on_change("x", (_attr, _old, value) => void seen.push(value));
    model.set("x", 1);
    off();
    model.set("x", 2);
    expect(seen).toEqual([1]);
  });
});
