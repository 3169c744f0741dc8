/**
 * Compile-time tests of the plotting API's types (`tsc --noEmit -p .` checks this file; nothing runs it). Each
 * `@ts-expect-error` marks a mistake the types must catch: if the line stopped being an error, the type check fails.
 */
import gallery from "../../examples/gallery.ts";
import {
  Button, ColumnDataSource, CustomJS, DataTable, Div, Dropdown, Select, Slider, TableColumn, Tabs, TabPanel, TextInput, Toggle, applyTheme,
  column, factor_cmap, figure, gridplot, linear_cmap, Document, type Theme,
} from "plothost";

// The gallery app type-checks as an app (tsconfig does not list examples/, so it is checked through this import).
export const app: (doc: Document) => void = gallery;

const source = new ColumnDataSource({ data: { x: [1, 2], y: Float64Array.of(3, 4), c: ["a", "b"] } });
// @ts-expect-error a ColumnDataSource option name that does not exist
new ColumnDataSource({ dta: { x: [1] } });

const p = figure({ title: "t", width: 300, x_axis_type: "datetime", tools: ["pan", "tap"], tooltips: [["x", "@x"]], sizing_mode: "stretch_width" });
// @ts-expect-error misspelled figure option
figure({ titel: "t" });
// @ts-expect-error an axis type that does not exist
figure({ x_axis_type: "logarithmic" });
// @ts-expect-error a tool name that does not exist
figure({ tools: ["pan", "lasso"] });
// @ts-expect-error a palette name that does not exist
factor_cmap("c", "Viridis2", ["a"]);

const r = p.scatter({ x: "x", y: "y", source, marker: "triangle", size: 8, fill_color: linear_cmap("y", "Viridis256", 0, 4), muted_alpha: 0.1 });
r.glyph.set("fill_alpha", 0.5);
// @ts-expect-error misspelled visual ("colour")
p.scatter({ x: "x", y: "y", source, colour: "red" });
// @ts-expect-error vbar needs `top`
p.vbar({ x: "x", width: 0.5 });
// @ts-expect-error circle takes a radius in data units, not a pixel size option named radius_px
p.circle({ x: "x", y: "y", radius: 1, radius_px: 3 });
// @ts-expect-error prefixed visuals are checked too
p.line({ x: "x", y: "y", hover_line_colour: "red" });
p.line({ x: "x", y: "y", hover_line_color: "red", line_dash: "dashed", legend_label: "l" });
p.xaxis.axis_label = "time";
p.legend.click_policy = "hide";
// @ts-expect-error a legend click policy that does not exist
p.legend.click_policy = "fade";

const slider = new Slider({ start: 0, end: 10, value: 1, title: "n" });
// @ts-expect-error Slider requires start, end and value, as in Python
new Slider({ start: 0, end: 10 });
// @ts-expect-error misspelled widget option
new Slider({ start: 0, end: 10, value: 1, titel: "n" });
slider.on_change("value", (_attr, old, value) => old + value);
// @ts-expect-error on_change takes the model's attribute names
slider.on_change("valeu", () => undefined);
// @ts-expect-error a slider value is a number
slider.value = "3";

p.on_event("tap", (ev) => ev.x + ev.y + ev.sx);
p.on_event("selection_geometry", (ev) => (ev.geometry.type === "rect" ? ev.geometry.x0 : ev.final));
// @ts-expect-error an event name that does not exist
p.on_event("click", () => undefined);
// @ts-expect-error tap events have no `item`
p.on_event("tap", (ev) => ev.item);

new Button({ label: "Go", button_type: "primary" }).on_click((ev) => ev.name);
// @ts-expect-error a button type that does not exist
new Button({ button_type: "secondary" });
new Toggle({ active: true }).on_click((active: boolean) => active);
new Dropdown({ menu: ["a", ["B", "b"], null] });
new Select({ options: ["a", ["b", "B"]], value: "a" });
new TextInput({ value: "x", placeholder: "y" });
// @ts-expect-error TextInput has no `text`
new TextInput({ text: "x" });
new DataTable({ source, columns: [new TableColumn({ field: "x", title: "X" })], editable: true });
// @ts-expect-error TableColumn needs a field
new TableColumn({ title: "X" });
new Tabs({ tabs: [new TabPanel({ title: "a", child: new Div({ text: "x" }) })] });
// @ts-expect-error a TabPanel needs a child
new TabPanel({ title: "a" });
new Div({ text: "x" }).js_on_change("text", new CustomJS({ code: "console.log(cb_obj.text)", args: { p } }));
gridplot([p, null], { ncols: 2, width: 200 });
column(p, slider, { sizing_mode: "stretch_width" });

const theme: Theme = { attrs: { Figure: { background_fill_color: "#222" } } };
applyTheme(new Document(), theme);
