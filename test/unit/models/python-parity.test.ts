import { describe, expect, it } from "vitest";
import { Document, Model, type DocJson } from "../../../shared/document/index.ts";
import { Button, ColumnDataSource, Div, Slider, column, factor_cmap, figure, row } from "../../../shared/models/index.ts";
import { attrsOf, canon, fixtureDoc, slidersAppDoc, type Json } from "./compare.ts";

/** The root model of a Bokeh 3.6 fixture document, parsed. */
function fixtureRoot(json: DocJson): Model {
  return Document.from_json(json).roots[0];
}

describe("documents Python Bokeh 3.6 wrote, rebuilt with the TypeScript API", () => {
  it("the sliders app `bokeh serve` served: column, row, Slider, Button, Div, two figures, line, scatter, vbar", () => {
    const original = slidersAppDoc();
    const theirs = original.get_model_by_name("layout")!;
    const columns = (name: string | null) => {
      const source = [...original.models.values()].find((m) => m.type === "ColumnDataSource" && (m.get("name") ?? null) === name)!;
      return Object.fromEntries(source.get<Map<string, never>>("data"));
    };

    const slider = new Slider({ name: "freq", title: "frequency", start: 0.1, end: 5, value: 1, step: 0.1 });
    const button = new Button({ name: "reset", label: "Reset", button_type: "primary" });
    button.on_click(() => undefined);
    const status = new Div({ name: "status", text: "clicks: 0" });
    const p1 = figure({ width: 500, height: 300, title: "sin(f*x)", tools: "pan,wheel_zoom,reset" });
    p1.line({ x: "x", y: "y", source: new ColumnDataSource({ data: columns(null) }), line_width: 2, name: "line" });
    const p2 = figure({ width: 500, height: 200, title: "streamed" });
    p2.scatter({ x: "t", y: "v", source: new ColumnDataSource({ name: "stream_src", data: { t: [], v: [] } }), size: 6 });
    p2.vbar({ x: "x", top: "top", width: 0.5, alpha: 0.3, source: new ColumnDataSource({ name: "bars", data: columns("bars") }) });
    const ours = column(row(slider, button, status), p1, p2, { name: "layout" });

    expect(canon(ours)).toEqual(canon(theirs));
  });

  it("vbar_categorical: figure(x_range=factors, tools='hover', tooltips=...) + vbar with factor_cmap", () => {
    const fruits = ["Apples", "Pears", "Nectarines", "Plums", "Grapes", "Strawberries"];
    const source = new ColumnDataSource({ data: { fruits, counts: [5, 3, 4, 2, 4, 6] } });
    const p = figure({ x_range: fruits, height: 350, title: "Fruit counts", toolbar_location: null, tools: "hover", tooltips: "@fruits: @counts" });
    p.vbar({ x: "fruits", top: "counts", width: 0.9, source, line_color: "white", fill_color: factor_cmap("fruits", "Category10_6", fruits) });
    p.xgrid.grid_line_color = null;
    p.y_range.set("start", 0);
    expect(canon(p)).toEqual(canon(fixtureRoot(fixtureDoc("vbar_categorical.json"))));
  });

  it("line_scatter_hover: line and scatter sharing a source, one legend item, a hover tool for the scatter", () => {
    const theirs = fixtureRoot(fixtureDoc("line_scatter_hover.json"));
    const data = Object.fromEntries(
      (theirs.get<Model[]>("renderers")[0].get<Model>("data_source").get<Map<string, never>>("data")),
    );
    const source = new ColumnDataSource({ data });
    const p = figure({ title: "line + scatter with hover", height: 350, tools: "pan,wheel_zoom,box_zoom,reset,save" });
    p.line({ x: "x", y: "y", source, line_color: "navy", line_width: 2, legend_label: "sin" });
    const dots = p.scatter({ x: "x", y: "y", source, size: 8, fill_color: "orange", line_color: "black", legend_label: "sin" });
    p.add_tools(new Model("HoverTool", { renderers: [dots], tooltips: [["label", "@label"], ["(x,y)", "($x{0.00}, $y{0.00})"]] }));
    expect(canon(p)).toEqual(canon(theirs));
  });
});

describe("the generic comparison helpers", () => {
  it("tell different models apart", () => {
    const a = canon(new Model("Slider", { value: 1 })) as Json;
    expect(a).toEqual({ type: "object", name: "Slider", attributes: { value: 1 } });
    expect(canon(new Model("Slider", { value: 2 }))).not.toEqual(a);
    expect(attrsOf({ attributes: { x: 1 } })).toEqual({ x: 1 });
  });
});
