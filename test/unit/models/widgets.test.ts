import { describe, expect, it } from "vitest";
import { Document, Model, Serializer, type BokehEvent, type DocumentChangedEvent } from "../../../shared/document/index.ts";
import * as plothost from "../../../shared/index.ts";
import {
  Button, CheckboxGroup, ColumnDataSource, CustomJS, DataTable, DatePicker, Div, Dropdown, MultiSelect, NumberEditor, NumberFormatter, NumericInput,
  Paragraph, PreText, RadioGroup, RangeSlider, Select, Slider, TableColumn, TextAreaInput, TextInput, Toggle,
} from "../../../shared/models/index.ts";

type Json = Record<string, unknown>;
const json = (m: Model): Json => new Serializer().encode(m) as Json;
const attrs = (m: Model): Json => Object.fromEntries(m.attributes);

function attach(model: Model): { doc: Document; events: DocumentChangedEvent[] } {
  const doc = new Document();
  doc.add_root(model);
  const events: DocumentChangedEvent[] = [];
  doc.on_change((ev) => events.push(ev));
  return { doc, events };
}

/** The PATCH-DOC BokehJS sends for a UI event of `model`. */
function uiEvent(model: Model, name: string, values: Array<[string, unknown]> = []) {
  return {
    events: [{
      kind: "MessageSent", msg_type: "bokeh_event",
      msg_data: { type: "event", name, values: { type: "map", entries: [["model", { id: model.id }], ...values] } },
    }],
  };
}

describe("widgets", () => {
  it("write only the attributes given, in Python's order (base classes first), as the sliders app traffic shows", () => {
    const slider = new Slider({ value: 1, step: 0.1, end: 5, start: 0.1, title: "frequency", name: "freq" });
    expect([...slider.attributes.keys()]).toEqual(["name", "title", "start", "end", "value", "step"]);
    expect(json(new RangeSlider({ start: 0, end: 10, value: [2, 5], width: 200 })).attributes).toEqual({ width: 200, start: 0, end: 10, value: [2, 5] });
    expect(json(new Toggle({ label: "On", active: true }))).toMatchObject({ name: "Toggle", attributes: { label: "On", active: true } });
    expect(json(new Dropdown({ label: "Menu", menu: ["a", ["B", "b"], null] })).attributes).toEqual({ label: "Menu", menu: ["a", ["B", "b"], null] });
    expect(json(new Select({ title: "T", options: ["a", ["b", "B"]], value: "a" })).attributes).toEqual({ title: "T", options: ["a", ["b", "B"]], value: "a" });
    expect(json(new Select({ options: { group: ["a"] } })).attributes).toEqual({ options: { group: ["a"] } });
    expect(json(new MultiSelect({ options: ["a", "b"], value: ["b"], size: 2 })).attributes).toEqual({ options: ["a", "b"], value: ["b"], size: 2 });
    expect(json(new TextInput({ value: "x", placeholder: "type", prefix: "$" })).attributes).toEqual({ value: "x", placeholder: "type", prefix: "$" });
    expect(json(new TextAreaInput({ rows: 5, value: "a\nb" })).attributes).toEqual({ value: "a\nb", rows: 5 });
    expect(json(new NumericInput({ value: 1.5, mode: "float", low: 0 })).attributes).toEqual({ value: 1.5, low: 0, mode: "float" });
    expect(json(new CheckboxGroup({ labels: ["a", "b"], active: [1] })).attributes).toEqual({ labels: ["a", "b"], active: [1] });
    expect(json(new RadioGroup({ labels: ["a", "b"], active: 0, inline: true })).attributes).toEqual({ labels: ["a", "b"], inline: true, active: 0 });
    for (const [cls, name] of [[Div, "Div"], [Paragraph, "Paragraph"], [PreText, "PreText"]] as const) {
      expect(json(new cls({ text: "hi", width: 100 }))).toMatchObject({ name, attributes: { width: 100, text: "hi" } });
    }
  });

  it("read unset attributes as Bokeh's defaults, and assign through typed accessors (with change events)", () => {
    const slider = new Slider({ start: 0, end: 10, value: 1 });
    expect([slider.step, slider.title, slider.show_value, slider.width]).toEqual([1, "", true, 300]);
    expect(new Button().label).toBe("Button");
    expect(new Toggle().label).toBe("Toggle");
    expect(new TextAreaInput().max_length).toBe(500);
    expect(new MultiSelect().value).toEqual([]);
    expect(() => (new MultiSelect().value as string[]).push("x")).toThrow(TypeError);
    const { events } = attach(slider);
    slider.value = 2.5;
    expect(slider.value).toBe(2.5);
    expect(events).toEqual([expect.objectContaining({ kind: "ModelChanged", model: slider, attr: "value", new: 2.5, old: 1 })]);
  });

  it("DatePicker stores dates as Python does: 'YYYY-MM-DD' from a Date or epoch ms", () => {
    const picker = new DatePicker({ value: new Date(Date.UTC(2024, 1, 29, 15)), min_date: Date.UTC(2024, 0, 1), max_date: "2024-12-31", title: "day" });
    expect(attrs(picker)).toEqual({ title: "day", min_date: "2024-01-01", max_date: "2024-12-31", value: "2024-02-29" });
    picker.value = new Date(Date.UTC(2025, 5, 1));
    expect(picker.value).toBe("2025-06-01");
    expect(() => new DatePicker({ value: new Date(NaN) })).toThrow(/invalid date/);
  });

  it("Button.on_click and Dropdown.on_click receive typed click events; Toggle.on_click receives `active`", async () => {
    const button = Button({ label: "Reset", button_type: "primary" });
    const dropdown = Dropdown({ menu: ["a", "b"] });
    const toggle = Toggle();
    const doc = new Document();
    for (const m of [button, dropdown, toggle]) doc.add_root(m);
    const seen: unknown[] = [];
    button.on_click((ev) => void seen.push(["button", ev.name, ev.model]));
    dropdown.on_click((ev) => void seen.push(["dropdown", ev.name, "item" in ev ? ev.item : null]));
    toggle.on_click((active) => void seen.push(["toggle", active]));
    expect(button.get("subscribed_events")).toEqual(new Set(["button_click"]));
    expect(dropdown.get("subscribed_events")).toEqual(new Set(["menu_item_click", "button_click"]));
    await doc.apply_json_patch(uiEvent(button, "button_click"));
    await doc.apply_json_patch(uiEvent(dropdown, "menu_item_click", [["item", "b"]]));
    await doc.apply_json_patch({ events: [{ kind: "ModelChanged", model: { id: toggle.id }, attr: "active", new: true }] });
    expect(seen).toEqual([["button", "button_click", button], ["dropdown", "menu_item_click", "b"], ["toggle", true]]);
  });

  it("DataTable and TableColumn write the view, formatter and editor Python writes for them", () => {
    const source = new ColumnDataSource({ data: { a: [1, 2] } });
    const column = new TableColumn({ field: "a", title: "A", editor: new NumberEditor(), formatter: new NumberFormatter({ format: "0.00" }) });
    const table = new DataTable({ source, columns: [column, new TableColumn({ field: "b" })], editable: true });
    const out = json(table);
    expect(Object.keys(out.attributes as Json)).toEqual(["source", "view", "columns", "editable"]);
    const a = out.attributes as { view: Json; columns: Json[] };
    expect(a.view).toMatchObject({ name: "CDSView", attributes: { filter: { type: "object", name: "AllIndices" } } });
    expect(a.columns[0]).toMatchObject({ name: "TableColumn", attributes: { field: "a", title: "A", formatter: { name: "NumberFormatter", attributes: { format: "0.00" } }, editor: { name: "NumberEditor" } } });
    expect(a.columns[1]).toMatchObject({ attributes: { field: "b", formatter: { name: "StringFormatter" }, editor: { name: "StringEditor" } } });
    expect(table.width).toBe(600);
  });

  it("CustomJS writes args as a map; js_on_change / js_on_event fill js_property_callbacks / js_event_callbacks", () => {
    const div = new Div({ text: "x" });
    const cb = new CustomJS({ args: { div }, code: "div.text = cb_obj.label" });
    expect(json(cb).attributes).toEqual({ args: { type: "map", entries: [["div", expect.objectContaining({ name: "Div" })]] }, code: "div.text = cb_obj.label" });
    expect(json(new CustomJS({ code: "" })).attributes).toEqual({ args: { type: "map" }, code: "" });
    const button = new Button();
    button.js_on_event("button_click", cb);
    button.js_on_event("button_click", cb);
    const slider = new Slider({ start: 0, end: 1, value: 0 });
    slider.js_on_change("value", cb);
    slider.js_on_change("change:title", cb);
    expect(attrs(button).js_event_callbacks).toEqual(new Map([["button_click", [cb]]]));
    expect(attrs(slider).js_property_callbacks).toEqual(new Map([["change:value", [cb]], ["change:title", [cb]]]));
    expect(() => slider.js_on_change("value", "code" as never)).toThrow(/callback models/);
  });

  it("parsed documents build the typed widget classes", () => {
    const doc = new Document();
    doc.add_root(plothost.column(new Slider({ start: 0, end: 2, value: 1 }), new Button({ label: "x" }), new Div({ text: "y" }), new DatePicker()));
    const parsed = Document.from_json(doc.to_json());
    const [slider, button, div, picker] = parsed.roots[0].get<Model[]>("children");
    expect(parsed.roots[0]).toBeInstanceOf(plothost.Column);
    expect(slider).toBeInstanceOf(Slider);
    expect((slider as Slider).value).toBe(1);
    expect(button).toBeInstanceOf(Button);
    expect(div).toBeInstanceOf(Div);
    expect(picker).toBeInstanceOf(DatePicker);
  });

  it("the package entry exports the app API", () => {
    for (const name of [
      "figure", "ColumnDataSource", "Slider", "Button", "Div", "column", "row", "gridplot", "Tabs", "TabPanel", "DataTable", "TableColumn", "CustomJS",
      "factor_cmap", "linear_cmap", "palette", "applyTheme", "field", "value", "curdoc", "Document", "Model", "serializeEvents", "DocumentError",
      "BOKEH_VERSION", "runWithDocument", "NDArray", "Column", "Row",
    ]) {
      expect(plothost).toHaveProperty(name);
    }
    // `Column` in the package entry is the layout (the document layer's column type is `DataColumn`).
    expect(plothost.column(new Div())).toBeInstanceOf(plothost.Column);
    expect(plothost.BOKEH_VERSION).toBe("3.10.0");
  });

  it("events about a model reach only that model's callbacks", async () => {
    const a = new Button();
    const b = new Button();
    const doc = new Document();
    doc.add_root(plothost.row(a, b));
    const clicks: BokehEvent[] = [];
    a.on_click((ev) => void clicks.push(ev));
    await doc.apply_json_patch(uiEvent(b, "button_click"));
    expect(clicks).toEqual([]);
  });
});
