import { DocumentError, Model } from "../document/index.ts";
import { defineModel, type ModelProps } from "./bokeh-model.ts";
import { LAYOUT_DEFAULTS, MODEL_DEFAULTS, type LayoutProps, type Location, type SizingMode } from "./common-props.ts";
import { SaveTool } from "./tools.ts";

/** Row / Column attributes. */
export interface FlexBoxProps extends LayoutProps {
  children: Model[];
  spacing: number;
}

/** Bokeh's Row and Column (see {@link row} / {@link column}). */
export const Row = defineModel<FlexBoxProps>("Row", { ...LAYOUT_DEFAULTS, children: [], spacing: 0 });
export type Row = InstanceType<typeof Row>;
export const Column = defineModel<FlexBoxProps>("Column", { ...LAYOUT_DEFAULTS, children: [], spacing: 0 });
export type Column = InstanceType<typeof Column>;

/** Layout options of `row(...)` / `column(...)` (Python's keyword arguments). */
export type FlexOptions = Partial<Omit<FlexBoxProps, "children">>;

type Child = Model | readonly Model[];

function flex(type: "Row" | "Column", args: ReadonlyArray<Child | FlexOptions>): Row {
  const last = args[args.length - 1];
  const hasOptions = last !== undefined && !(last instanceof Model) && !Array.isArray(last);
  const options = (hasOptions ? last : {}) as FlexOptions;
  const children = (hasOptions ? args.slice(0, -1) : args) as Child[];
  const cls = type === "Row" ? Row : Column;
  return new cls({ ...options, children: children.flat() });
}

/** A Column: `column(a, b)`, `column([a, b])`, or `column(a, b, {sizing_mode: "stretch_width"})`. */
export function column(...args: Array<Child | FlexOptions>): Column {
  return flex("Column", args);
}

/** A Row: `row(a, b)`, `row([a, b])`, or `row(a, b, {spacing: 10})`. */
export function row(...args: Array<Child | FlexOptions>): Row {
  return flex("Row", args);
}

/** Bokeh's Spacer: empty space in a layout. */
export const Spacer = defineModel<LayoutProps>("Spacer", LAYOUT_DEFAULTS);

/** TabPanel attributes: one tab's `title` and its `child` layout. */
export interface TabPanelProps extends ModelProps {
  title: string;
  tooltip: Model | null;
  child: Model;
  closable: boolean;
  disabled: boolean;
}

/** Bokeh's TabPanel (Python's former `Panel`). */
export const TabPanel = defineModel<TabPanelProps, "child">("TabPanel", {
  ...MODEL_DEFAULTS, title: "", tooltip: null, child: undefined, closable: false, disabled: false,
});
export type TabPanel = InstanceType<typeof TabPanel>;

/** Tabs attributes: `active` is the index of the shown tab (synced when the user switches). */
export interface TabsProps extends LayoutProps {
  tabs: Model[];
  tabs_location: Location;
  active: number;
}

/** Bokeh's Tabs. */
export const Tabs = defineModel<TabsProps>("Tabs", { ...LAYOUT_DEFAULTS, tabs: [], tabs_location: "above", active: 0 });
export type Tabs = InstanceType<typeof Tabs>;

/** GridPlot attributes: children as `[model, row, column]`, one toolbar for all plots. */
export interface GridPlotProps extends LayoutProps {
  toolbar: Model;
  toolbar_location: Location | null;
  children: Array<[Model, number, number] | [Model, number, number, number, number]>;
}

export const GridPlot = defineModel<GridPlotProps>("GridPlot", {
  ...LAYOUT_DEFAULTS, toolbar: undefined, toolbar_location: "above", children: [],
});
export type GridPlot = InstanceType<typeof GridPlot>;

/** Options of {@link gridplot}. */
export interface GridplotOptions {
  /** With a flat list of children: how many per row. */
  ncols?: number;
  width?: number;
  height?: number;
  sizing_mode?: SizingMode;
  toolbar_location?: Location | null;
  /** Merge the plots' tools into one toolbar (default true). */
  merge_tools?: boolean;
}

const SINGLETON_TOOLS = new Set(["SaveTool", "CopyTool", "ExamineTool", "FullscreenTool"]);

/** Python's `group_tools`: one ToolProxy per set of same-type tools with equal settings; one save tool for all. */
function groupTools(tools: Model[]): Model[] {
  const byType = new Map<string, Model[]>();
  for (const tool of tools) byType.set(tool.type, [...(byType.get(tool.type) ?? []), tool]);
  const out: Model[] = [];
  const settings = (tool: Model): string =>
    JSON.stringify([...tool.attributes].filter(([k]) => k !== "overlay" && k !== "renderers").map(([k, v]) => [k, v instanceof Model ? v.id : v]));
  for (const [type, group] of byType) {
    if (SINGLETON_TOOLS.has(type)) {
      out.push(type === "SaveTool" ? new SaveTool() : new Model(type));
      continue;
    }
    const rest = [...group];
    while (rest.length > 0) {
      const key = settings(rest[0]);
      const same = rest.filter((t) => settings(t) === key);
      out.push(new Model("ToolProxy", { tools: same }));
      for (const t of same) rest.splice(rest.indexOf(t), 1);
    }
  }
  return out;
}

function plotsIn(model: Model): Model[] {
  return [...model.references()].filter((m) => m.type === "Figure" || m.type === "Plot");
}

/**
 * Python's `gridplot`: plots in a grid with one merged toolbar. `children` is a list of rows, or a flat list with
 * `ncols`; null leaves a cell empty. Each plot's own toolbar is hidden when tools are merged.
 */
export function gridplot(children: ReadonlyArray<Model | null> | ReadonlyArray<ReadonlyArray<Model | null>>, options: GridplotOptions = {}): GridPlot {
  const { ncols, width, height, sizing_mode, toolbar_location = "above", merge_tools = true } = options;
  let rows: Array<ReadonlyArray<Model | null>>;
  if (ncols !== undefined) {
    if (children.some((c) => Array.isArray(c))) throw new DocumentError("bad_argument", "cannot give nested lists with ncols");
    const flat = children as ReadonlyArray<Model | null>;
    rows = [];
    for (let i = 0; i < flat.length; i += ncols) rows.push(flat.slice(i, i + ncols));
  } else {
    rows = children.map((r) => (Array.isArray(r) ? r : [r as Model | null]));
  }
  const items: Array<[Model, number, number]> = [];
  const tools: Model[] = [];
  rows.forEach((cells, y) =>
    cells.forEach((item, x) => {
      if (item === null) return;
      if (merge_tools) {
        for (const plot of plotsIn(item)) {
          tools.push(...(plot.get<Model | undefined>("toolbar")?.get<Model[] | undefined>("tools") ?? []));
          plot.set("toolbar_location", null);
        }
      }
      if (width !== undefined) item.set("width", width);
      if (height !== undefined) item.set("height", height);
      if (sizing_mode !== undefined && !item.has("sizing_mode")) item.set("sizing_mode", sizing_mode);
      items.push([item, y, x]);
    }),
  );
  return new GridPlot({
    toolbar: new Model("Toolbar", { tools: merge_tools ? groupTools(tools) : tools }),
    toolbar_location: toolbar_location === "above" ? undefined : toolbar_location,
    children: items,
    sizing_mode,
  });
}
