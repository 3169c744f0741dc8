import { describe, expect, it } from "vitest";
import { Document, Model, type BokehEvent, type DocumentChangedEvent } from "../../../shared/document/index.ts";
import * as plothost from "../../../shared/index.ts";
import { Button, Div, Slider, column, row } from "../../../shared/models/index.ts";

describe("widgets", () => {
  it("Slider writes its attributes in Python's order and has a typed value", () => {
    const slider = new Slider({ value: 1, step: 0.1, end: 5, start: 0.1, title: "frequency", name: "freq" });
    expect([...slider.attributes.keys()]).toEqual(["name", "title", "start", "end", "value", "step"]);
    const doc = new Document();
    doc.add_root(slider);
    const events: DocumentChangedEvent[] = [];
    doc.on_change((ev) => events.push(ev));
    slider.value = 2.5;
    expect(slider.value).toBe(2.5);
    expect(slider.start + slider.end + slider.step).toBeCloseTo(5.2);
    expect(slider.title).toBe("frequency");
    expect(events).toEqual([expect.objectContaining({ kind: "ModelChanged", model: slider, attr: "value", new: 2.5, old: 1 })]);
  });

  it("Button.on_click subscribes button_click and receives the click", async () => {
    const button = Button({ label: "Reset", button_type: "primary" });
    const doc = new Document();
    doc.add_root(button);
    const clicks: BokehEvent[] = [];
    button.on_click((ev) => void clicks.push(ev));
    expect(button.get("subscribed_events")).toEqual(new Set(["button_click"]));
    expect(button.label).toBe("Reset");
    await doc.apply_json_patch({
      events: [{ kind: "MessageSent", msg_type: "bokeh_event", msg_data: { type: "event", name: "button_click", values: { type: "map", entries: [["model", { id: button.id }]] } } }],
    });
    expect(clicks).toEqual([{ name: "button_click", model: button, values: {} }]);
  });

  it("Div has a text accessor", () => {
    const div = new Div({ text: "clicks: 0" });
    div.text = "clicks: 1";
    expect(div.get("text")).toBe("clicks: 1");
    expect(div.text).toBe("clicks: 1");
  });

  it("column and row hold their children", () => {
    const a = new Div({ text: "a" });
    const b = new Div({ text: "b" });
    const layout = column(row(a, b), [new Model("Spacer")]);
    expect(layout.type).toBe("Column");
    const children = layout.get<Model[]>("children");
    expect(children.map((c) => c.type)).toEqual(["Row", "Spacer"]);
    expect(children[0].get("children")).toEqual([a, b]);
  });

  it("parsed documents build the registered widget classes", () => {
    const doc = new Document();
    doc.add_root(column(new Slider({ value: 1 }), new Button({ label: "x" }), new Div({ text: "y" })));
    const parsed = Document.from_json(doc.to_json());
    const [slider, button, div] = parsed.roots[0].get<Model[]>("children");
    expect(slider).toBeInstanceOf(Slider);
    expect((slider as Slider).value).toBe(1);
    expect(button).toBeInstanceOf(Button);
    expect(div).toBeInstanceOf(Div);
  });

  it("the package entry exports the app API", () => {
    for (const name of ["figure", "ColumnDataSource", "Slider", "Button", "Div", "column", "row", "curdoc", "Document", "Model", "serializeEvents", "DocumentError", "BOKEH_VERSION", "runWithDocument", "NDArray"]) {
      expect(plothost).toHaveProperty(name);
    }
    expect(plothost.BOKEH_VERSION).toBe("3.10.0");
  });
});
