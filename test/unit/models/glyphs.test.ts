import { describe, expect, it } from "vitest";
import { Model, NDArray } from "../../../shared/document/index.ts";
import { ColumnDataSource, figure, value, type GlyphRenderer } from "../../../shared/models/index.ts";

type Json = Record<string, unknown>;
const C = "#1f77b4";
const f = (field: string) => ({ type: "field", field });
const v = (value: unknown) => ({ type: "value", value });

function attrs(model: unknown): Json {
  return Object.fromEntries((model as Model).attributes);
}

/** The main, nonselection and muted glyph attributes of a renderer, and the glyph type. */
function glyphs(r: GlyphRenderer): { type: string; glyph: Json; nonselection: Json; muted: Json } {
  return { type: r.glyph.type, glyph: attrs(r.glyph), nonselection: attrs(r.get("nonselection_glyph")), muted: attrs(r.get("muted_glyph")) };
}

const AREA_DEFAULT = { line_color: v(C), fill_color: v(C) };
const AREA_NONSEL = { ...AREA_DEFAULT, line_alpha: v(0.1), fill_alpha: v(0.1), hatch_alpha: v(0.1) };

// Expected JSON follows Python's create_renderer: coordinates always written, other values only when they differ
// from Bokeh's defaults, the default colour #1f77b4 for line and fill, alpha 0.1 / 0.2 for nonselection / muted.
describe("glyph methods write the glyphs Python's glyph API writes", () => {
  it.each([
    ["circle", { x: [1, 2], y: [3, 4], radius: 0.5 }, "Circle", { x: f("x"), y: f("y"), radius: v(0.5), ...AREA_DEFAULT }],
    ["vbar", { x: [1, 2], top: [3, 4], width: 0.5, bottom: 1 }, "VBar", { x: f("x"), width: v(0.5), bottom: v(1), top: f("top"), ...AREA_DEFAULT }],
    ["hbar", { y: [1, 2], right: [3, 4], height: 0.5 }, "HBar", { y: f("y"), height: v(0.5), right: f("right"), ...AREA_DEFAULT }],
    ["quad", { left: [0], right: [1], bottom: [0], top: [1] }, "Quad", { left: f("left"), right: f("right"), bottom: f("bottom"), top: f("top"), ...AREA_DEFAULT }],
    ["rect", { x: [1], y: [1], width: 2, height: 1, angle: 0.5 }, "Rect", { x: f("x"), y: f("y"), width: v(2), height: v(1), angle: v(0.5), ...AREA_DEFAULT }],
    ["patches", { xs: [[0, 1, 0.5]], ys: [[0, 0, 1]] }, "Patches", { xs: f("xs"), ys: f("ys"), ...AREA_DEFAULT }],
    ["wedge", { x: [0], y: [0], radius: 1, start_angle: 0, end_angle: 1, direction: "clock" }, "Wedge",
      { x: f("x"), y: f("y"), radius: v(1), start_angle: v(0), end_angle: v(1), direction: "clock", ...AREA_DEFAULT }],
  ] as const)("%s", (method, options, type, expected) => {
    const p = figure();
    const r = (p as unknown as Record<string, (o: unknown) => GlyphRenderer>)[method](options);
    expect(glyphs(r)).toEqual({
      type,
      glyph: expected,
      nonselection: { ...expected, ...AREA_NONSEL },
      muted: { ...expected, line_alpha: v(0.2), fill_alpha: v(0.2), hatch_alpha: v(0.2) },
    });
    expect(p.renderers).toEqual([r]);
    // List values became the columns of a new source, named after the options.
    const lists = Object.entries(options).filter(([, o]) => Array.isArray(o));
    expect([...r.data_source.get<Map<string, unknown>>("data")]).toEqual(lists);
  });

  it("line-only glyphs: multi_line and segment (vector line), step (scalar line, its mode a plain value)", () => {
    const p = figure();
    expect(glyphs(p.multi_line({ xs: [[0, 1]], ys: [[1, 0]], line_width: 2 }))).toEqual({
      type: "MultiLine",
      glyph: { xs: f("xs"), ys: f("ys"), line_color: v(C), line_width: v(2) },
      nonselection: { xs: f("xs"), ys: f("ys"), line_color: v(C), line_alpha: v(0.1), line_width: v(2) },
      muted: { xs: f("xs"), ys: f("ys"), line_color: v(C), line_alpha: v(0.2), line_width: v(2) },
    });
    expect(glyphs(p.segment({ x0: [0], y0: [0], x1: [1], y1: [1] })).glyph).toEqual({ x0: f("x0"), y0: f("y0"), x1: f("x1"), y1: f("y1"), line_color: v(C) });
    expect(glyphs(p.step({ x: [0, 1], y: [1, 0], mode: "center", line_dash: "dashed" }))).toEqual({
      type: "Step",
      glyph: { x: f("x"), y: f("y"), mode: "center", line_color: C, line_dash: "dashed" },
      nonselection: { x: f("x"), y: f("y"), mode: "center", line_color: C, line_alpha: 0.1, line_dash: "dashed" },
      muted: { x: f("x"), y: f("y"), mode: "center", line_color: C, line_alpha: 0.2, line_dash: "dashed" },
    });
    // "before" is Step's default mode: not written.
    expect(glyphs(p.step({ x: [0], y: [0], mode: "before" })).glyph).not.toHaveProperty("mode");
  });

  it("varea / harea: scalar fill (plain values), vector hatch", () => {
    const p = figure();
    expect(glyphs(p.varea({ x: [0, 1], y1: [0, 0], y2: [1, 2] }))).toEqual({
      type: "VArea",
      glyph: { x: f("x"), y1: f("y1"), y2: f("y2"), fill_color: C },
      nonselection: { x: f("x"), y1: f("y1"), y2: f("y2"), fill_color: C, fill_alpha: 0.1, hatch_alpha: v(0.1) },
      muted: { x: f("x"), y1: f("y1"), y2: f("y2"), fill_color: C, fill_alpha: 0.2, hatch_alpha: v(0.2) },
    });
    expect(glyphs(p.harea({ y: [0, 1], x1: [0, 0], x2: [1, 2], hatch_pattern: "/" })).glyph).toEqual({
      x1: f("x1"), x2: f("x2"), y: f("y"), fill_color: C, hatch_pattern: v("/"),
    });
  });

  it("text: a string names a column, value() is a constant; text_color falls back to black as in Python", () => {
    const p = figure();
    const r = p.text({ x: [1], y: [2], text: ["hello"], text_font_size: "20px", text_align: "center", angle: 0.3 });
    expect(glyphs(r)).toEqual({
      type: "Text",
      glyph: { x: f("x"), y: f("y"), text: f("text"), angle: v(0.3), text_color: v("black"), text_font_size: v("20px"), text_align: v("center") },
      nonselection: {
        x: f("x"), y: f("y"), text: f("text"), angle: v(0.3), text_color: v("black"), text_alpha: v(0.1), text_font_size: v("20px"), text_align: v("center"),
      },
      muted: {
        x: f("x"), y: f("y"), text: f("text"), angle: v(0.3), text_color: v("black"), text_alpha: v(0.2), text_font_size: v("20px"), text_align: v("center"),
      },
    });
    expect(r.data_source.get<Map<string, unknown>>("data").get("text")).toEqual(["hello"]);
    const constant = p.text({ x: [0], y: [0], text: value("hi"), color: "red", background_fill_color: "yellow" });
    expect(attrs(constant.glyph)).toEqual({ x: f("x"), y: f("y"), text: v("hi"), background_fill_color: v("yellow"), text_color: v("red") });
  });

  it("image: 2-D rows become an NDArray column; a palette (default Greys9) becomes a LinearColorMapper per glyph", () => {
    const p = figure();
    const r = p.image({ image: [[[1, 2, 3], [4, 5, 6]]], x: 0, y: 0, dw: 3, dh: 2, palette: "Viridis3", global_alpha: 0.5 });
    const img = r.data_source.get<Map<string, NDArray[]>>("data").get("image")![0];
    expect(img).toBeInstanceOf(NDArray);
    expect([img.shape, img.dtype, [...img.flat()!]]).toEqual([[2, 3], "float64", [1, 2, 3, 4, 5, 6]]);
    const g = glyphs(r);
    expect(g.type).toBe("Image");
    const { color_mapper, ...rest } = g.glyph;
    expect(rest).toEqual({ image: f("image"), x: v(0), y: v(0), dw: v(3), dh: v(2), global_alpha: v(0.5) });
    expect(attrs(color_mapper)).toEqual({ palette: ["#440154", "#208F8C", "#FDE724"] });
    expect(g.nonselection.global_alpha).toEqual(v(0.1));
    expect(g.nonselection.color_mapper).not.toBe(color_mapper);
    const grey = p.image({ image: "img", x: 0, y: 0, dw: 1, dh: 1, source: new ColumnDataSource({ data: { img: [] } }) });
    expect(attrs(grey.glyph.get("color_mapper")).palette).toHaveLength(9);
    expect(() => p.image({ image: [], x: 0, y: 0, dw: 1, dh: 1, palette: "Greys9", color_mapper: new Model("LinearColorMapper") })).toThrow(/only one of/);
  });

  it("scatter: marker names are values, other strings name columns; circle(size=...) is a scatter, as in Python", () => {
    const p = figure();
    const source = new ColumnDataSource({ data: { a: [1], b: [2], kind: ["x"] } });
    expect(attrs(p.scatter({ x: "a", y: "b", source, marker: "kind" }).glyph).marker).toEqual(f("kind"));
    expect(attrs(p.scatter({ x: "a", y: "b", source, marker: "hex" }).glyph).marker).toEqual(v("hex"));
    const sized = p.circle({ x: "a", y: "b", source, size: 12 } as never);
    expect(sized.glyph.type).toBe("Scatter");
    expect(attrs(sized.glyph).size).toEqual(v(12));
    expect(() => p.circle({ x: "a", y: "b", source, size: 1, radius: 1 } as never)).toThrow(/only one of size and radius/);
  });

  it("selection_* and hover_* options add selection and hover glyphs; legend_field groups by a column", () => {
    const p = figure();
    const r = p.quad({ left: [0], right: [1], top: [1], bottom: [0], selection_fill_color: "red", hover_alpha: 0.5, legend_field: "left" });
    expect(attrs(r.get("selection_glyph")).fill_color).toEqual(v("red"));
    expect(attrs(r.get("hover_glyph"))).toMatchObject({ fill_alpha: v(0.5), line_alpha: v(0.5) });
    expect(p.legend[0].items[0].get("label")).toEqual({ type: "field", field: "left" });
  });

  it("colour tuples stay values; list values with a user source are refused; unknown options are named", () => {
    const p = figure();
    expect(attrs(p.vbar({ x: [1], top: [1], fill_color: [255, 0, 0] }).glyph).fill_color).toEqual(v([255, 0, 0]));
    const source = new ColumnDataSource({ data: { x: [1] } });
    expect(() => p.wedge({ x: "x", y: "x", radius: [1], start_angle: 0, end_angle: 1, source })).toThrow(/'radius' is a list but a source was given/);
    expect(() => p.rect({ x: [1], y: [1], width: 1, height: 1, widht: 2 } as never)).toThrow(/Rect has no option\(s\) widht/);
  });
});
