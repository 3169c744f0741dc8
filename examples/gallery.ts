/**
 * A gallery of plothost's plotting and widget vocabulary: every glyph method, the tools, colour mappers and
 * palettes, every widget, the layouts, CustomJS next to server callbacks, UI events, a theme, and streaming and
 * patching data. Serve it with `npx plothost serve examples/gallery.ts` (it is then at `/gallery`).
 */
import {
  Button, CheckboxGroup, ColumnDataSource, CustomJS, DataTable, DateFormatter, DatePicker, Div, Dropdown, MultiSelect, NumberEditor,
  NumberFormatter, NumericInput, Paragraph, PreText, RadioGroup, RangeSlider, Select, Slider, StringEditor, TabPanel, TableColumn, Tabs,
  TextAreaInput, TextInput, Toggle, applyTheme, column, factor_cmap, figure, gridplot, linear_cmap, row, value, type Document, type Theme,
} from "plothost";

/** The directory-app theme this gallery applies (the same shape as a `theme.json`). */
const THEME: Theme = {
  attrs: {
    Title: { text_font_size: "14px" },
    Grid: { grid_line_alpha: 0.6 },
    Axis: { axis_label_text_font_style: "normal" },
  },
};

const N = 40;
const DAY = 24 * 3600 * 1000;
const FRUITS = ["Apples", "Pears", "Nectarines", "Plums", "Grapes", "Strawberries"];

export default function gallery(doc: Document): void {
  applyTheme(doc, THEME);
  doc.title = "plothost gallery";
  doc.template_variables.subtitle = "Every glyph and widget of the plotting API";

  // Status lines the server callbacks write (and the browser tests read).
  const status = (name: string, text: string) => new Div({ name, text });
  const selection = status("selection", "selected: none");
  const events = status("events", "events: none yet");
  const tableStatus = status("table_status", "table: not edited");
  const tabStatus = status("tab_status", "tab: 0");
  const widgetStatus = status("widget_status", "widgets: untouched");
  const jsStatus = status("js_status", "CustomJS: not run");
  doc.on_event("document_ready", () => void (events.text = "events: document ready"));

  // Points: line, step, scatter (markers), circle; every tool; hover tooltips reading columns; selections synced.
  const x = Float64Array.from({ length: N }, (_, i) => (i * 4 * Math.PI) / (N - 1));
  const points = new ColumnDataSource({
    name: "points",
    data: { x, y: x.map(Math.sin), label: Array.from({ length: N }, (_, i) => `point ${i}`), size: Int32Array.from({ length: N }, (_, i) => 6 + (i % 5) * 2) },
  });
  const lines = figure({
    name: "lines", title: "line, step, scatter, circle", width: 640, height: 320, sizing_mode: "fixed", background_fill_color: "#fafafa",
    tools: "pan,wheel_zoom,box_zoom,reset,save,hover,tap,box_select,lasso_select,crosshair", toolbar_location: "right",
    tooltips: [["label", "@label"], ["(x, y)", "(@x{0.00}, @y{0.00})"]], x_axis_label: "x", y_axis_label: "sin(x)", active_drag: "box_select",
  });
  const sinLine = lines.line({ x: "x", y: "y", source: points, line_width: 2, legend_label: "sin" });
  lines.step({ x, y: x.map((v) => Math.cos(v) / 2), mode: "center", line_color: "#2ca02c", legend_label: "cos / 2 (step)" });
  lines.scatter({
    x: "x", y: "y", source: points, size: "size", marker: "diamond", fill_color: "#ff7f0e", line_color: "black", legend_label: "sin",
    selection_fill_color: "firebrick", nonselection_fill_alpha: 0.2,
  });
  lines.circle({ x: [2, 6, 10], y: [-0.5, 0.5, -0.5], radius: 0.3, fill_alpha: 0.3, color: "#9467bd", legend_label: "circles" });
  lines.legend.location = "bottom_left";
  lines.legend.click_policy = "hide";
  lines.on_event("tap", (ev) => void (events.text = `events: tap at (${ev.x.toFixed(2)}, ${ev.y.toFixed(2)})`));
  lines.on_event("selection_geometry", (ev) => void (events.text = `events: ${ev.geometry.type} selection${ev.final ? "" : " (moving)"}`));
  points.selected.on_change("indices", (_attr, _old, indices) => {
    selection.text = indices.length === 0 ? "selected: none" : `selected: ${[...indices].join(",")}`;
  });

  // Categorical bars coloured with factor_cmap, and horizontal bars.
  const fruits = new ColumnDataSource({ data: { fruits: FRUITS, counts: [5, 3, 4, 2, 4, 6] } });
  const bars = figure({ title: "vbar + factor_cmap", x_range: FRUITS, toolbar_location: null, tools: "hover", tooltips: "@fruits: @counts" });
  bars.vbar({ x: "fruits", top: "counts", width: 0.9, source: fruits, line_color: "white", fill_color: factor_cmap("fruits", "Category10_6", FRUITS) });
  bars.y_range.set("start", 0);
  const hbars = figure({ title: "hbar", y_range: FRUITS });
  hbars.hbar({ y: "fruits", right: "counts", height: 0.6, source: fruits, fill_color: "#1f77b4", hatch_pattern: "/" });

  // Areas and boxes.
  const areas = figure({ title: "quad, rect, varea, harea" });
  areas.quad({ left: [0, 2], right: [1, 3], bottom: [0, 1], top: [1, 2], fill_color: "#e377c2" });
  areas.rect({ x: [5, 6], y: [1, 2], width: 0.8, height: 0.5, angle: 0.3, fill_color: "#bcbd22" });
  areas.varea({ x: [0, 1, 2, 3], y1: [3, 3.5, 3.2, 3.8], y2: [2.5, 2.6, 2.4, 2.9], fill_color: "#17becf", fill_alpha: 0.5 });
  areas.harea({ y: [4, 5, 6], x1: [4, 4.5, 5], x2: [6, 6.5, 6.2], fill_color: "#8c564b", fill_alpha: 0.4 });

  // Shapes and text.
  const shapes = figure({ title: "patches, multi_line, segment, wedge, text", x_range: [-1, 8], y_range: [-1, 5] });
  shapes.patches({ xs: [[0, 1, 0.5], [2, 3, 3, 2]], ys: [[0, 0, 1], [0, 0, 1, 1]], fill_color: ["#1f77b4", "#ff7f0e"], line_color: "black" });
  shapes.multi_line({ xs: [[0, 1, 2], [0, 1, 2]], ys: [[2, 3, 2], [3, 2, 3]], line_color: ["#2ca02c", "#d62728"], line_width: 2 });
  shapes.segment({ x0: [4, 4], y0: [0, 1], x1: [6, 6], y1: [1, 0], line_color: "#7f7f7f", line_width: 3 });
  shapes.wedge({ x: [5], y: [3], radius: 1, start_angle: 0.4, end_angle: 2.2, fill_color: "#ffbb78", direction: "anticlock" });
  shapes.text({ x: [0, 3.5], y: [4.2, 4.2], text: ["text glyph", "more text"], text_font_size: "13px", text_align: "left" });
  shapes.text({ x: [4], y: [-0.6], text: value("a constant string"), text_color: "#9467bd" });

  // An image with a palette, and scatter colours from linear_cmap.
  const grid = Array.from({ length: 20 }, (_, r) => Array.from({ length: 20 }, (_, c) => Math.sin(r / 3) * Math.cos(c / 3)));
  const image = figure({ title: "image + linear_cmap", x_range: [0, 10], y_range: [0, 10], tools: "pan,wheel_zoom,reset" });
  image.image({ image: [grid], x: 0, y: 0, dw: 10, dh: 10, palette: "Viridis256" });
  image.scatter({ x: [2, 4, 6, 8], y: [8, 8, 8, 8], size: 14, color: linear_cmap("x", "Spectral11", 0, 10), line_color: "white" });

  // Dates as epoch ms on a datetime axis; a log axis.
  const start = Date.UTC(2024, 0, 1);
  const time = figure({ title: "datetime axis", x_axis_type: "datetime" });
  time.line({ x: Float64Array.from({ length: 60 }, (_, i) => start + i * DAY), y: Float64Array.from({ length: 60 }, (_, i) => 10 + Math.sin(i / 6)) });
  const log = figure({ title: "log axis", y_axis_type: "log" });
  log.scatter({ x: [1, 2, 3, 4, 5], y: [1, 10, 100, 1000, 10000], size: 8, marker: "square" });

  // Streaming with rollover and patching with indices and slices.
  const live = new ColumnDataSource({ name: "live", data: { t: Float64Array.of(0), v: Float64Array.of(0) } });
  const liveFig = figure({ title: "stream (rollover 30) and patch" });
  liveFig.line({ x: "t", y: "v", source: live });
  let t = 0;
  const stream = new Button({ name: "stream", label: "Stream 5 points", button_type: "primary" });
  stream.on_click(() => {
    const ts = Array.from({ length: 5 }, () => ++t);
    live.stream({ t: ts, v: ts.map((k) => Math.sin(k / 3)) }, 30);
  });
  const patch = new Button({ name: "patch", label: "Patch", button_type: "warning" });
  patch.on_click(() => {
    const n = live.data.v.length;
    live.patch({ v: [[0, 1], [{ start: 1, stop: Math.min(n, 4) }, Array.from({ length: Math.max(0, Math.min(n, 4) - 1) }, () => -1)]] });
  });

  const plots = gridplot([bars, hbars, areas, shapes, image, time, log, liveFig], { ncols: 4, width: 300, height: 250 });

  // Widgets with server callbacks.
  const freq = new Slider({ name: "frequency", title: "frequency", start: 0.5, end: 3, value: 1, step: 0.1 });
  freq.on_change("value", (_a, _o, k) => void (points.data = { ...points.data, y: x.map((v) => Math.sin(k * v)) }));
  const span = new RangeSlider({ title: "x range", start: 0, end: 13, value: [0, 13], step: 0.5 });
  span.js_on_change("value", new CustomJS({ args: { xr: lines.x_range }, code: "xr.start = cb_obj.value[0]; xr.end = cb_obj.value[1]" }));
  const report = (what: string) => () => void (widgetStatus.text = `widgets: ${what}`);
  const toggle = new Toggle({ label: "Toggle", button_type: "success" });
  toggle.on_click((active) => report(`toggle ${active ? "on" : "off"}`)());
  const dropdown = new Dropdown({ label: "Dropdown", menu: ["first", ["Second", "second"], null, "third"] });
  dropdown.on_click((ev) => report(`dropdown ${"item" in ev ? ev.item : "button"}`)());
  const select = new Select({ title: "line colour", value: "navy", options: ["navy", "firebrick", "olive"] });
  select.on_change("value", (_a, _o, colour) => sinLine.glyph.set("line_color", colour));
  const multi = new MultiSelect({ title: "fruits", options: FRUITS, value: ["Apples"], size: 3 });
  multi.on_change("value", (_a, _o, v) => report(`fruits ${v.join(",")}`)());
  const titleInput = new TextInput({ title: "plot title", value: "line, step, scatter, circle", placeholder: "title" });
  titleInput.on_change("value", (_a, _o, text) => void (lines.title!.set("text", text)));
  const notes = new TextAreaInput({ title: "notes", rows: 3, placeholder: "notes..." });
  notes.on_change("value", report("notes"));
  const count = new NumericInput({ title: "count", value: 5, low: 0, high: 10, mode: "int" });
  count.on_change("value", report("count"));
  const checks = new CheckboxGroup({ labels: ["grid", "legend"], active: [0, 1], inline: true });
  checks.on_change("active", (_a, _o, active) => {
    lines.grid.visible = active.includes(0);
    lines.legend.visible = active.includes(1);
  });
  const radio = new RadioGroup({ labels: ["left", "right"], active: 0, inline: true });
  radio.on_change("active", (_a, _o, i) => void (lines.legend.location = i === 1 ? "bottom_right" : "bottom_left"));
  const date = new DatePicker({ title: "date", value: new Date(start), min_date: "2024-01-01", max_date: "2024-12-31" });
  date.on_change("value", report("date"));

  // CustomJS: runs in the browser only (the server never runs it).
  const jsButton = new Button({ name: "js_button", label: "Run CustomJS" });
  jsButton.js_on_event("button_click", new CustomJS({ args: { target: jsStatus }, code: "target.text = 'CustomJS: ran in the browser'" }));

  // An editable DataTable and Tabs.
  const tableSource = new ColumnDataSource({
    name: "table_source",
    data: { name: ["alpha", "beta", "gamma"], value: [1.5, 2.25, 3], day: [start, start + DAY, start + 2 * DAY] },
  });
  tableSource.on_change("data", () => void (tableStatus.text = `table: value[0] = ${(tableSource.data.value as number[])[0]}`));
  const table = new DataTable({
    name: "table", source: tableSource, editable: true, width: 420, height: 140,
    columns: [
      new TableColumn({ field: "name", title: "Name", editor: new StringEditor() }),
      new TableColumn({ field: "value", title: "Value", editor: new NumberEditor(), formatter: new NumberFormatter({ format: "0.00" }) }),
      new TableColumn({ field: "day", title: "Day", formatter: new DateFormatter({ format: "%Y-%m-%d" }) }),
    ],
  });
  const tabs = new Tabs({
    name: "tabs",
    tabs: [
      new TabPanel({ title: "Table", child: table }),
      new TabPanel({ title: "Text", child: column(new Paragraph({ text: "A Paragraph." }), new PreText({ text: "PreText:\n  preformatted" })) }),
    ],
  });
  tabs.on_change("active", (_a, _o, i) => void (tabStatus.text = `tab: ${i}`));

  doc.add_root(column(
    new Div({ text: "<h2>plothost gallery</h2>" }),
    row(column(freq, span, select, multi, titleInput), column(notes, count, checks, radio, date), column(toggle, dropdown, stream, patch, jsButton)),
    row(lines, column(selection, events, widgetStatus, jsStatus, tableStatus, tabStatus)),
    tabs,
    plots,
  ));
}
