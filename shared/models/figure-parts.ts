import { DocumentError, Model } from "../document/index.ts";

/** Python's default `figure(tools=...)`. */
export const DEFAULT_TOOLS = "pan,wheel_zoom,box_zoom,save,reset,help";

/** The overlay Python gives a BoxZoomTool (attribute values as `bokeh json` writes them). */
function boxZoomOverlay(): Model {
  const handles = new Model("BoxInteractionHandles", {
    all: new Model("AreaVisuals", { fill_color: "white", hover_fill_color: "lightgray" }),
  });
  return new Model("BoxAnnotation", {
    syncable: false,
    line_color: "black",
    line_alpha: 1.0,
    line_width: 2,
    line_dash: [4, 4],
    fill_color: "lightgrey",
    fill_alpha: 0.5,
    level: "overlay",
    visible: false,
    left: NaN,
    right: NaN,
    top: NaN,
    bottom: NaN,
    left_units: "canvas",
    right_units: "canvas",
    top_units: "canvas",
    bottom_units: "canvas",
    handles,
  });
}

const TOOLS: Record<string, () => Model> = {
  pan: () => new Model("PanTool"),
  wheel_zoom: () => new Model("WheelZoomTool", { renderers: "auto" }),
  box_zoom: () => new Model("BoxZoomTool", { overlay: boxZoomOverlay() }),
  save: () => new Model("SaveTool"),
  reset: () => new Model("ResetTool"),
  help: () => new Model("HelpTool"),
  hover: () => new Model("HoverTool", { renderers: "auto" }),
};

/** Tool models for `tools` as `figure()` takes it: "pan,box_zoom" or a list of names and tool models. */
export function makeTools(tools: string | ReadonlyArray<string | Model>): Model[] {
  const items = typeof tools === "string" ? tools.split(",") : tools;
  const out: Model[] = [];
  for (const item of items) {
    if (item instanceof Model) {
      out.push(item);
      continue;
    }
    const name = item.trim();
    if (name === "") continue;
    const make = TOOLS[name];
    if (make === undefined) {
      throw new DocumentError(
        "bad_argument",
        `unknown tool '${name}'; use one of ${Object.keys(TOOLS).join(", ")} or pass a tool model (e.g. new Model("TapTool"))`,
      );
    }
    out.push(make());
  }
  return out;
}

/** A range option as `figure()` takes it. */
export type RangeInit = Model | readonly [number, number] | readonly string[];

/** A range model and whether it is categorical (which picks the scale and axis types). */
export function makeRange(range: RangeInit | undefined): { range: Model; categorical: boolean } {
  if (range === undefined) return { range: new Model("DataRange1d"), categorical: false };
  if (range instanceof Model) return { range, categorical: range.type === "FactorRange" };
  if (range.every((v) => typeof v === "string")) {
    return { range: new Model("FactorRange", { factors: [...range] }), categorical: true };
  }
  if (range.length === 2 && range.every((v) => typeof v === "number")) {
    return { range: new Model("Range1d", { start: range[0], end: range[1] }), categorical: false };
  }
  throw new DocumentError("bad_argument", "a range must be a range model, [start, end] numbers, or a list of factors");
}

/** The axis Python's figure puts on a side: linear, or categorical for factor ranges. */
export function makeAxis(categorical: boolean, label: string | undefined): Model {
  const attrs: Record<string, unknown> = categorical
    ? {
        ticker: new Model("CategoricalTicker"),
        formatter: new Model("CategoricalTickFormatter"),
        major_label_policy: new Model("AllLabels"),
      }
    : {
        ticker: new Model("BasicTicker", { mantissas: [1, 2, 5] }),
        formatter: new Model("BasicTickFormatter"),
        major_label_policy: new Model("AllLabels"),
      };
  if (label !== undefined) attrs.axis_label = label;
  return new Model(categorical ? "CategoricalAxis" : "LinearAxis", attrs);
}
