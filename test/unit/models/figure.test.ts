import { describe, expect, it } from "vitest";
import { Document, Model } from "../../../shared/document/index.ts";
import { ColumnDataSource, Figure, HoverTool, TapTool, figure } from "../../../shared/models/index.ts";
import { fixtureDoc } from "./compare.ts";

type Json = Record<string, unknown>;
const attrs = (m: unknown): Json => Object.fromEntries((m as Model).attributes);
const toolTypes = (p: Figure) => p.toolbar.get<Model[]>("tools").map((t) => t.type);

describe("figure()", () => {
  it("makes Range1d for [start, end], FactorRange for factors (also nested), and puts axis labels on the axes", () => {
    const p = figure({ x_range: [0, 10], y_range: [["a", "x"], ["a", "y"]], x_axis_label: "time", tools: "" });
    expect(p.x_range.type).toBe("Range1d");
    expect(attrs(p.x_range)).toEqual({ start: 0, end: 10 });
    expect(attrs(p.y_range)).toEqual({ factors: [["a", "x"], ["a", "y"]] });
    expect(p.get<Model>("y_scale").type).toBe("CategoricalScale");
    expect(p.get<Model[]>("left")[0].type).toBe("CategoricalAxis");
    expect(p.get<Model[]>("below")[0].get("axis_label")).toBe("time");
    expect(p.toolbar.get("tools")).toEqual([]);
  });

  it("x_axis_type / y_axis_type: log (LogScale, LogAxis with 10 minor ticks) and datetime (DatetimeTicker, 5 minor ticks)", () => {
    const p = figure({ x_axis_type: "datetime", y_axis_type: "log" });
    expect(p.get<Model>("x_scale").type).toBe("LinearScale");
    expect(p.get<Model>("y_scale").type).toBe("LogScale");
    const [xaxis] = p.get<Model[]>("below");
    const [yaxis] = p.get<Model[]>("left");
    expect([xaxis.type, xaxis.get<Model>("ticker").type, xaxis.get<Model>("formatter").type]).toEqual(["DatetimeAxis", "DatetimeTicker", "DatetimeTickFormatter"]);
    const ticker = xaxis.get<Model>("ticker");
    expect(ticker.get("num_minor_ticks")).toBe(5);
    expect(ticker.get<Model[]>("tickers").map((t) => t.type)).toEqual([
      "AdaptiveTicker", "AdaptiveTicker", "AdaptiveTicker", "DaysTicker", "DaysTicker", "DaysTicker", "DaysTicker",
      "MonthsTicker", "MonthsTicker", "MonthsTicker", "MonthsTicker", "YearsTicker",
    ]);
    expect(attrs(ticker.get<Model[]>("tickers")[1])).toEqual({ num_minor_ticks: 0, base: 60, mantissas: [1, 2, 5, 10, 15, 20, 30], min_interval: 1000, max_interval: 1_800_000 });
    expect(attrs(ticker.get<Model[]>("tickers")[6])).toEqual({ days: [1, 15] });
    expect([yaxis.type, attrs(yaxis.get("ticker")), yaxis.get<Model>("formatter").type]).toEqual(["LogAxis", { num_minor_ticks: 10, mantissas: [1, 5] }, "LogTickFormatter"]);
    expect(p.get<Model[]>("center").map((g) => [g.type, g.get("axis")])).toEqual([["Grid", xaxis], ["Grid", yaxis]]);
  });

  it("axis locations: above/right, or null for no axis (the grid stays), or axis type null for neither", () => {
    const p = figure({ x_axis_location: "above", y_axis_location: null });
    expect(p.get<Model[]>("above")[0].type).toBe("LinearAxis");
    expect(p.has("below") || p.has("left")).toBe(false);
    expect(p.get<Model[]>("center")).toHaveLength(2);
    const bare = figure({ x_axis_type: null, y_axis_type: null });
    expect(bare.has("center") || bare.has("below")).toBe(false);
  });

  it("tools by name as Python's aliases, with their overlays; tooltips go on the hover tool (added when missing)", () => {
    const p = figure({ tools: "pan,xwheel_zoom,tap,box_select,lasso_select,poly_select,crosshair,reset,save,help", tooltips: [["y", "@y"]] });
    expect(toolTypes(p)).toEqual([
      "PanTool", "WheelZoomTool", "TapTool", "BoxSelectTool", "LassoSelectTool", "PolySelectTool", "CrosshairTool", "ResetTool", "SaveTool", "HelpTool", "HoverTool",
    ]);
    const tools = p.toolbar.get<Model[]>("tools");
    expect(attrs(tools[1])).toEqual({ dimensions: "width", renderers: "auto" });
    const overlay = attrs(tools[3].get("overlay"));
    expect(overlay).toMatchObject({ syncable: false, editable: true, level: "overlay", visible: false, line_dash: [4, 4], fill_color: "lightgrey" });
    expect(overlay).not.toHaveProperty("left_units");
    expect(tools[4].get<Model>("overlay").type).toBe("PolyAnnotation");
    expect(attrs(tools[10])).toEqual({ renderers: "auto", tooltips: [["y", "@y"]] });
    expect(attrs(figure({ tools: ["hover"] }).toolbar.get<Model[]>("tools")[0]).tooltips).toEqual([
      ["index", "$index"], ["data (x, y)", "($x, $y)"], ["screen (x, y)", "($sx, $sy)"],
    ]);
    const tap = new TapTool({ behavior: "inspect" });
    expect(figure({ tools: ["pan", tap] }).toolbar.get("tools")).toContain(tap);
    expect(() => figure({ tools: "pan,lasso" })).toThrow(/unknown tool 'lasso'/);
  });

  it("active_drag / active_scroll / ... pick tools given by name or model", () => {
    const hover = new HoverTool({ tooltips: "@x" });
    const p = figure({ tools: ["box_select", "wheel_zoom", hover], active_drag: "box_select", active_scroll: "wheel_zoom", active_inspect: hover, active_tap: null });
    const tools = p.toolbar.get<Model[]>("tools");
    expect(attrs(p.toolbar)).toMatchObject({ active_drag: tools[0], active_scroll: tools[1], active_inspect: hover, active_tap: null });
    expect(() => figure({ tools: "pan", active_drag: "box_zoom" })).toThrow(/active_drag='box_zoom' is not one of the tools/);
  });

  it("passes Plot attributes through (typed), makes the title a Title, and refuses unknown options", () => {
    const p = figure({ title: "T", background_fill_color: "#222", sizing_mode: "stretch_width", min_border: 0, toolbar_location: "above" });
    expect(attrs(p)).toMatchObject({ background_fill_color: "#222", sizing_mode: "stretch_width", min_border: 0, toolbar_location: "above" });
    expect(attrs(p.title)).toEqual({ text: "T" });
    (p as { title: unknown }).title = "renamed"; // a string becomes a Title, as in Python
    expect(p.title!.get("text")).toBe("renamed");
    expect(figure({ title: null }).get("title")).toBeNull();
    expect(() => figure({ colour: "red" } as never)).toThrow(/figure\(\) has no option\(s\) colour/);
  });

  it("xaxis, yaxis, grid, legend and hover are splattable lists, as in Python", () => {
    const p = figure({ tools: "hover" });
    p.xaxis.axis_label = "x";
    p.axis.major_label_text_font_size = "9px";
    p.ygrid.grid_line_color = null;
    expect(p.xaxis.axis_label).toBe("x");
    expect(p.get<Model[]>("left")[0].get("major_label_text_font_size")).toBe("9px");
    expect(p.get<Model[]>("center").map((g) => g.get("grid_line_color"))).toEqual([undefined, null]);
    expect(p.legend).toHaveLength(0);
    p.legend.location = "top_left"; // no legend yet: nothing to set, as in Python
    p.line({ x: [1], y: [1], legend_label: "a" });
    p.legend.location = "top_left";
    expect(p.legend[0].location).toBe("top_left");
    p.hover.tooltips = "@x";
    expect(p.hover[0].get("tooltips")).toBe("@x");
    expect(() => p.axis.axis_label).toThrow(/holds 2 models/);
  });

  it("add_tools and add_layout append", () => {
    const p = figure({ tools: "" });
    p.add_tools("tap", new HoverTool());
    expect(toolTypes(p)).toEqual(["TapTool", "HoverTool"]);
    const label = new Model("Label", { x: 1, y: 1, text: "hi" });
    p.add_layout(label, "above");
    expect(p.get<Model[]>("above")).toEqual([label]);
  });
});

describe("glyph methods", () => {
  it("turn list values into columns of a new source, as Python does", () => {
    const p = figure();
    const r = p.line({ x: [1, 2, 3], y: Float64Array.of(4, 5, 6), line_dash: [4, 4] });
    const source = r.data_source as ColumnDataSource;
    expect(source).toBeInstanceOf(ColumnDataSource);
    expect(source.data).toEqual({ x: [1, 2, 3], y: Float64Array.of(4, 5, 6) });
    expect([...r.glyph.attributes]).toEqual([
      ["x", { type: "field", field: "x" }],
      ["y", { type: "field", field: "y" }],
      ["line_color", "#1f77b4"],
      ["line_dash", [4, 4]],
    ]);
    expect(p.renderers).toEqual([r]);
  });

  it("refuse list values when a source is given, and unknown options", () => {
    const source = new ColumnDataSource({ data: { x: [1] } });
    expect(() => figure().scatter({ x: "x", y: [1], source })).toThrow(/'y' is a list but a source was given/);
    // @ts-expect-error the types refuse it too; plain JavaScript callers get the runtime error
    expect(() => figure().scatter({ x: "x", y: "x", source, colour: "red" })).toThrow(/no option\(s\) colour/);
  });

  it("scatter writes specs: values, fields for source columns, markers, and the alpha cascade", () => {
    const source = new ColumnDataSource({ data: { a: [1], b: [2], c: ["red"] } });
    const r = figure().scatter({ x: "a", y: "b", source, size: 4, marker: "square", color: "c", alpha: 0.5, name: "dots" });
    expect(r.get("name")).toBe("dots");
    expect(attrs(r.glyph)).toEqual({
      x: { type: "field", field: "a" },
      y: { type: "field", field: "b" },
      marker: { type: "value", value: "square" },
      line_color: { type: "field", field: "c" },
      line_alpha: { type: "value", value: 0.5 },
      fill_color: { type: "field", field: "c" },
      fill_alpha: { type: "value", value: 0.5 },
      hatch_color: { type: "field", field: "c" },
      hatch_alpha: { type: "value", value: 0.5 },
    });
    expect(r.get<Model>("nonselection_glyph").get("fill_alpha")).toEqual({ type: "value", value: 0.1 });
    expect(r.get<Model>("muted_glyph").get("line_alpha")).toEqual({ type: "value", value: 0.2 });
  });

  it("legend_label groups renderers under one legend item", () => {
    const p = figure();
    const a = p.line({ x: [1], y: [1], legend_label: "one" });
    const b = p.scatter({ x: [1], y: [1], legend_label: "one" });
    const c = p.scatter({ x: [1], y: [1], legend_label: "two" });
    const legends = p.get<Model[]>("center").filter((m) => m.type === "Legend");
    expect(legends).toHaveLength(1);
    const items = legends[0].get<Model[]>("items");
    expect(items.map((i) => [i.get("label"), i.get("renderers")])).toEqual([
      [{ type: "value", value: "one" }, [a, b]],
      [{ type: "value", value: "two" }, [c]],
    ]);
  });

  it("parsed documents build Figure instances whose glyph methods work and emit events", () => {
    const doc = Document.from_json(fixtureDoc("line_scatter_hover.json"));
    const p = doc.roots[0];
    expect(p).toBeInstanceOf(Figure);
    const kinds: string[] = [];
    doc.on_change((ev) => void kinds.push(ev.kind === "ModelChanged" ? `${ev.kind}:${ev.attr}` : ev.kind));
    const r = (p as Figure).line({ x: [0, 1], y: [1, 0] });
    expect(r.document).toBe(doc);
    expect(r.get<Model>("data_source").document).toBe(doc);
    expect(kinds).toEqual(["ModelChanged:renderers"]);
    expect((p as Figure).xaxis).toHaveLength(1);
  });
});
