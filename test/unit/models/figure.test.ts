import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Document, Model, Serializer, type DocJson } from "../../../shared/document/index.ts";
import { ColumnDataSource, Figure, figure } from "../../../shared/models/index.ts";
import { DOCS_DIR, TRAFFIC_DIR, readTraffic } from "../document/traffic.ts";

type Json = Record<string, unknown>;

/** Model names and nesting only: ids and values are dropped; refs become "-> Name". */
function skeleton(json: unknown): unknown {
  const names = new Map<string, string>();
  JSON.stringify(json, (_k, v) => {
    if (v !== null && typeof v === "object" && v.type === "object" && typeof v.id === "string") names.set(v.id, v.name);
    return v;
  });
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      const items = v.map(walk).filter((x) => x !== undefined);
      return items.length > 0 ? items : undefined;
    }
    if (v === null || typeof v !== "object") return undefined;
    const obj = v as Json;
    if (obj.type === "object" && typeof obj.id === "string") {
      return { name: obj.name, ...(walk(obj.attributes ?? {}) as Json | undefined) };
    }
    if (Object.keys(obj).length === 1 && typeof obj.id === "string") return `-> ${names.get(obj.id)}`;
    const out: Json = {};
    for (const [k, item] of Object.entries(obj)) {
      const s = walk(item);
      if (s !== undefined) out[k] = s;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  };
  return walk(json);
}

function fixtureDoc(name: string): DocJson {
  return JSON.parse(readFileSync(join(DOCS_DIR, name), "utf8"));
}

function attrsOf(json: unknown): Json {
  return (json as { attributes?: Json }).attributes ?? {};
}

describe("figure()", () => {
  it("builds the model structure of bokeh's line_scatter_hover example", () => {
    const source = new ColumnDataSource({ data: { x: Float64Array.of(0, 1), y: Float64Array.of(0, 1), label: ["a", "b"] } });
    const p = figure({ title: "line + scatter with hover", height: 350, tools: "pan,wheel_zoom,box_zoom,reset,save" });
    p.line({ x: "x", y: "y", source, line_color: "navy", line_width: 2, legend_label: "sin" });
    const dots = p.scatter({ x: "x", y: "y", source, size: 8, fill_color: "orange", line_color: "black", legend_label: "sin" });
    p.add_tools(new Model("HoverTool", { renderers: [dots], tooltips: [["label", "@label"], ["(x,y)", "($x{0.00}, $y{0.00})"]] }));
    const doc = new Document();
    doc.add_root(p);
    const fixture = fixtureDoc("line_scatter_hover.json");
    expect(skeleton(doc.to_json().roots)).toEqual(skeleton(fixture.roots));
    const ours = attrsOf(doc.to_json().roots[0]);
    const theirs = attrsOf(fixture.roots[0]);
    const glyphs = (r: Json) => (r.renderers as Json[]).map((g) => ["glyph", "nonselection_glyph", "muted_glyph"].map((k) => attrsOf(attrsOf(g)[k])));
    expect(glyphs(ours)).toEqual(glyphs(theirs));
    expect(attrsOf((attrsOf(ours.toolbar).tools as Json[])[2])).toEqual(
      expect.objectContaining({ overlay: expect.objectContaining({ name: "BoxAnnotation" }) }),
    );
    const overlay = (r: Json) => attrsOf(attrsOf((attrsOf(r.toolbar).tools as Json[])[2]).overlay);
    expect(JSON.stringify(overlay(ours)).replace(/"p\d+"/g, "ID")).toBe(JSON.stringify(overlay(theirs)).replace(/"p\d+"/g, "ID"));
    expect(ours.title).toMatchObject({ attributes: { text: "line + scatter with hover" } });
    expect(ours.height).toBe(350);
    expect(ours).not.toHaveProperty("width");
  });

  it("writes the same figure and scatter as `bokeh serve` did for the sliders app's streamed plot", () => {
    const reply = readTraffic(join(TRAFFIC_DIR, "pull_session.json")).find((m) => m.header.msgtype === "PULL-DOC-REPLY")!;
    const original = Document.from_json(reply.content.doc).get_model_by_id("p1146")!;
    const theirs = attrsOf(new Serializer().encode(original));

    const source = new ColumnDataSource({ data: { t: [], v: [] }, name: "stream_src" });
    const p = figure({ width: 500, height: 200, title: "streamed" });
    p.scatter({ x: "t", y: "v", source, size: 6 });
    const doc = new Document();
    doc.add_root(p);
    const ours = attrsOf(doc.to_json().roots[0]);
    const renderer = (r: Json) => attrsOf((r.renderers as Json[])[0]);
    for (const key of ["glyph", "nonselection_glyph", "muted_glyph"]) {
      expect(attrsOf(renderer(ours)[key])).toEqual(attrsOf(renderer(theirs)[key]));
    }
    expect(attrsOf(renderer(ours).data_source)).toEqual({ ...attrsOf(renderer(theirs).data_source), selected: expect.anything(), selection_policy: expect.anything() });
    const { renderers: oursRenderers, ...oursRest } = ours;
    const { renderers: theirRenderers, ...theirsRest } = theirs;
    expect(skeleton(oursRest)).toEqual(skeleton(theirsRest));
    // The app also added a vbar renderer, which has no helper here: compare the scatter renderer only.
    expect(skeleton(oursRenderers)).toEqual(skeleton((theirRenderers as Json[]).slice(0, 1)));
  });

  it("matches the categorical plot's axes, scales and ranges when x_range is a list of factors", () => {
    const fruits = ["Apples", "Pears", "Nectarines", "Plums", "Grapes", "Strawberries"];
    const p = figure({ x_range: fruits, height: 350, title: "Fruit counts", toolbar_location: null, tools: "hover", tooltips: "@fruits: @counts" });
    p.y_range.set("start", 0);
    const fixture = attrsOf(fixtureDoc("vbar_categorical.json").roots[0]);
    const doc = new Document();
    doc.add_root(p);
    const ours = attrsOf(doc.to_json().roots[0]);
    for (const key of ["x_range", "y_range", "x_scale", "y_scale", "title", "toolbar", "left", "below", "toolbar_location"]) {
      expect(skeleton({ [key]: ours[key] })).toEqual(skeleton({ [key]: fixture[key] }));
    }
    expect(attrsOf(ours.x_range)).toEqual({ factors: fruits });
    expect(attrsOf((attrsOf(ours.toolbar).tools as Json[])[0])).toEqual({ renderers: "auto", tooltips: "@fruits: @counts" });
    expect(ours.toolbar_location).toBeNull();
  });

  it("makes a Range1d for [start, end] and puts axis labels on the axes", () => {
    const p = figure({ x_range: [0, 10], x_axis_label: "time", tools: "" });
    expect(p.x_range.type).toBe("Range1d");
    expect([...p.x_range.attributes]).toEqual([["start", 0], ["end", 10]]);
    expect(p.get<Model[]>("below")[0].get("axis_label")).toBe("time");
    expect(p.toolbar.get("tools")).toEqual([]);
    expect(() => figure({ tools: "pan,lasso" })).toThrow(/unknown tool 'lasso'/);
  });
});

describe("glyph methods", () => {
  it("turn list values into columns of a new source, as Python does", () => {
    const p = figure();
    const r = p.line({ x: [1, 2, 3], y: Float64Array.of(4, 5, 6), line_dash: [4, 4] });
    const source = r.get<ColumnDataSource>("data_source");
    expect(source).toBeInstanceOf(ColumnDataSource);
    expect(source.data).toEqual({ x: [1, 2, 3], y: Float64Array.of(4, 5, 6) });
    expect([...r.get<Model>("glyph").attributes]).toEqual([
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
    expect(() => figure().scatter({ x: "x", y: "x", source, colour: "red" })).toThrow(/no option\(s\) colour/);
  });

  it("scatter writes specs: values, fields for source columns, markers, and the alpha cascade", () => {
    const source = new ColumnDataSource({ data: { a: [1], b: [2], c: ["red"] } });
    const r = figure().scatter({ x: "a", y: "b", source, size: 4, marker: "square", color: "c", alpha: 0.5, name: "dots" });
    expect(r.get("name")).toBe("dots");
    expect(Object.fromEntries(r.get<Model>("glyph").attributes)).toEqual({
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
  });
});
