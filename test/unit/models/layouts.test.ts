import { describe, expect, it } from "vitest";
import { Document, Model, Serializer } from "../../../shared/document/index.ts";
import { Div, GridPlot, Slider, Spacer, TabPanel, Tabs, column, figure, gridplot, row } from "../../../shared/models/index.ts";

const attrs = (m: Model) => Object.fromEntries(m.attributes);

describe("layouts", () => {
  it("row and column take children, lists of children, and Python's keyword options last", () => {
    const a = new Div({ text: "a" });
    const b = new Div({ text: "b" });
    const layout = column(row(a, b), [new Spacer({ width: 10 })], { sizing_mode: "stretch_width", spacing: 4, name: "main" });
    expect(layout.type).toBe("Column");
    expect(attrs(layout)).toEqual({ name: "main", sizing_mode: "stretch_width", children: [expect.any(Model), expect.any(Model)], spacing: 4 });
    expect(layout.children.map((c) => c.type)).toEqual(["Row", "Spacer"]);
    expect(layout.children[0].get("children")).toEqual([a, b]);
  });

  it("Tabs hold TabPanels; `active` is typed and synced", async () => {
    const tabs = new Tabs({ tabs: [new TabPanel({ title: "one", child: new Div() }), new TabPanel({ title: "two", child: new Div(), closable: true })] });
    const doc = new Document();
    doc.add_root(tabs);
    const seen: number[] = [];
    tabs.on_change("active", (_attr, _old, active) => void seen.push(active));
    expect(tabs.active).toBe(0);
    await doc.apply_json_patch({ events: [{ kind: "ModelChanged", model: { id: tabs.id }, attr: "active", new: 1 }] });
    expect(seen).toEqual([1]);
    expect(new Serializer().encode(tabs)).toMatchObject({
      name: "Tabs",
      attributes: { tabs: [{ name: "TabPanel", attributes: { title: "one", child: { name: "Div" } } }, { attributes: { title: "two", closable: true } }] },
    });
  });

  it("gridplot: Python's GridPlot with [item, row, column] children and one toolbar of merged tools", () => {
    const p1 = figure({ tools: "pan,wheel_zoom,save" });
    const p2 = figure({ tools: "pan,xwheel_zoom,save" });
    const slider = new Slider({ start: 0, end: 1, value: 0 });
    const grid = gridplot([p1, p2, null, slider], { ncols: 2, width: 250, height: 200, toolbar_location: "left" });
    expect(grid).toBeInstanceOf(GridPlot);
    expect(grid.children).toEqual([[p1, 0, 0], [p2, 0, 1], [slider, 1, 1]]);
    expect([p1.toolbar_location, p2.toolbar_location, p1.width, p2.height, slider.width]).toEqual([null, null, 250, 200, 250]);
    const tools = grid.toolbar.get<Model[]>("tools");
    expect(tools.map((t) => t.type)).toEqual(["ToolProxy", "ToolProxy", "ToolProxy", "SaveTool"]);
    const [pans, wheels, xwheels] = tools.map((t) => t.get<Model[]>("tools"));
    expect(pans.map((t) => t.type)).toEqual(["PanTool", "PanTool"]);
    expect(wheels).toEqual([p1.toolbar.get<Model[]>("tools")[1]]);
    expect(xwheels).toEqual([p2.toolbar.get<Model[]>("tools")[1]]);
    expect(attrs(grid)).toMatchObject({ toolbar_location: "left" });
    expect(gridplot([[p1], [p2]]).children).toEqual([[p1, 0, 0], [p2, 1, 0]]);
    // Without merging, as in Python, the plots keep their own toolbars and the grid's is empty.
    const own = figure();
    expect(gridplot([own], { merge_tools: false }).toolbar.get<Model[]>("tools")).toEqual([]);
    expect(own.has("toolbar_location")).toBe(false);
    expect(gridplot([p1]).has("toolbar_location")).toBe(false);
    expect(() => gridplot([[p1]] as never, { ncols: 1 })).toThrow(/nested lists with ncols/);
  });
});
