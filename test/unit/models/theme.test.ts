import { describe, expect, it } from "vitest";
import { Document, Model, serializeEvents, type DocumentChangedEvent } from "../../../shared/document/index.ts";
import { Slider, applyTheme, column, figure, modelAncestry, type Theme } from "../../../shared/models/index.ts";

const THEME: Theme = {
  attrs: {
    Plot: { background_fill_color: "#111", outline_line_color: "red" },
    Figure: { background_fill_color: "#222" },
    Axis: { axis_label_text_color: "white", major_label_text_font_size: "9px" },
    LinearAxis: { major_label_text_font_size: "10px" },
    Widget: { margin: 12 },
    Title: { text_color: "white", text_font_size: "16px" },
  },
};

describe("applyTheme", () => {
  it("follows the class hierarchy by name, the most derived type winning", () => {
    expect(modelAncestry("Figure")).toEqual(["Figure", "Plot", "LayoutDOM", "Pane", "UIElement", "StyledElement", "Model"]);
    expect(modelAncestry("Slider")).toContain("Widget");
    expect(modelAncestry("MyCustomModel")).toEqual(["MyCustomModel", "Model"]);
    const p = figure({ title: "t" });
    const doc = new Document();
    doc.add_root(p);
    applyTheme(doc, THEME);
    expect(p.get("background_fill_color")).toBe("#222");
    expect(p.get("outline_line_color")).toBe("red");
    expect(p.xaxis.major_label_text_font_size).toBe("10px");
    expect(p.xaxis.axis_label_text_color).toBe("white");
    expect(p.title!.get("text_color")).toBe("white");
  });

  it("never overrides what a model set itself; themes models already attached with change events", () => {
    const p = figure({ background_fill_color: "#333" });
    const doc = new Document();
    doc.add_root(p);
    const events: DocumentChangedEvent[] = [];
    doc.on_change((ev) => events.push(ev));
    applyTheme(doc, THEME);
    expect(p.get("background_fill_color")).toBe("#333");
    expect(events).toContainEqual(expect.objectContaining({ kind: "ModelChanged", model: p, attr: "outline_line_color", new: "red" }));
  });

  it("themes models attached later before any listener serializes them (no extra events)", () => {
    const doc = new Document();
    const events: DocumentChangedEvent[] = [];
    const wire: unknown[] = [];
    // A session listening before the theme was applied still serializes themed models.
    doc.on_change((ev) => {
      events.push(ev);
      wire.push(serializeEvents([ev], doc).json);
    });
    applyTheme(doc, THEME);
    const slider = new Slider({ start: 0, end: 1, value: 0, margin: 3 });
    const p = figure();
    doc.add_root(column(slider, p));
    expect(events.map((e) => e.kind)).toEqual(["RootAdded"]);
    expect(p.get("background_fill_color")).toBe("#222");
    expect(slider.get("margin")).toBe(3);
    expect(JSON.stringify(wire)).toContain('"background_fill_color":"#222"');
    // A model added by a change (not a root) is themed too.
    const q = figure();
    doc.roots[0].set("children", [...doc.roots[0].get<Model[]>("children"), q]);
    expect(q.get("background_fill_color")).toBe("#222");
    expect(events.map((e) => e.kind)).toEqual(["RootAdded", "ModelChanged"]);
  });

  it("stops theming new models when unsubscribed; themed values are copies per model", () => {
    const doc = new Document();
    const stop = applyTheme(doc, { attrs: { Plot: { css_classes: ["dark"] } } });
    const a = figure();
    const b = figure();
    doc.add_root(column(a, b));
    expect(a.get("css_classes")).toEqual(["dark"]);
    expect(a.get("css_classes")).not.toBe(b.get("css_classes"));
    stop();
    const c = figure();
    doc.add_root(c);
    expect(c.has("css_classes")).toBe(false);
  });

  it("refuses malformed themes with a message saying the expected shape", () => {
    expect(() => applyTheme(new Document(), null as never)).toThrow(/a theme is an object like/);
    expect(() => applyTheme(new Document(), { attrs: [] } as never)).toThrow(/'attrs' must map/);
    expect(() => applyTheme(new Document(), { attrs: { Plot: 3 } } as never)).toThrow(/attrs for 'Plot'/);
  });

  it("a failing theme hook goes to the document's error handler instead of breaking the change", () => {
    const doc = new Document();
    doc.on_attach(() => {
      throw new Error("boom");
    });
    const p = figure();
    doc.add_root(p);
    expect(doc.roots).toEqual([p]);
    expect(doc.callback_errors).toEqual([{ error: new Error("boom"), where: "document on_attach hook" }]);
  });
});

describe("Document extras for apps", () => {
  it("template_variables is a plain per-document object; title is Python's doc.title", () => {
    const doc = new Document();
    doc.template_variables.header = "Sales";
    doc.title = "Dashboard";
    expect(doc.template_variables).toEqual({ header: "Sales" });
    expect(new Document().template_variables).toEqual({});
    expect(doc.to_json()).not.toHaveProperty("template_variables");
    expect(doc.to_json().title).toBe("Dashboard");
  });
});
