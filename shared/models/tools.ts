import { DocumentError, Model } from "../document/index.ts";
import { defineModel, type ModelProps } from "./bokeh-model.ts";
import { MODEL_DEFAULTS } from "./common-props.ts";

/** Python's default `figure(tools=...)`. */
export const DEFAULT_TOOLS = "pan,wheel_zoom,box_zoom,save,reset,help";

type Dimensions = "width" | "height" | "both";
/** Hover tooltips: a template string ("@x: @y") or `[label, template]` rows ("@column" reads a column). */
export type Tooltips = string | ReadonlyArray<readonly [string, string]> | null;

interface ToolProps extends ModelProps {
  description: string | null;
  visible: boolean;
}
const TOOL_DEFAULTS = { ...MODEL_DEFAULTS, description: null, visible: true };
type Renderers = "auto" | Model[];

export interface PanToolProps extends ToolProps { dimensions: Dimensions }
export const PanTool = defineModel<PanToolProps>("PanTool", { ...TOOL_DEFAULTS, dimensions: "both" });
export interface WheelZoomToolProps extends ToolProps { dimensions: Dimensions; renderers: Renderers; zoom_on_axis: boolean }
export const WheelZoomTool = defineModel<WheelZoomToolProps>("WheelZoomTool", {
  ...TOOL_DEFAULTS, dimensions: "both", renderers: "auto", zoom_on_axis: true,
});
export interface BoxZoomToolProps extends ToolProps { dimensions: Dimensions | "auto"; overlay: Model; match_aspect: boolean }
export const BoxZoomTool = defineModel<BoxZoomToolProps>("BoxZoomTool", { ...TOOL_DEFAULTS, dimensions: "both", overlay: undefined, match_aspect: false });
export const SaveTool = defineModel<ToolProps & { filename: string | null }>("SaveTool", { ...TOOL_DEFAULTS, filename: null });
export const ResetTool = defineModel<ToolProps>("ResetTool", TOOL_DEFAULTS);
export const HelpTool = defineModel<ToolProps>("HelpTool", TOOL_DEFAULTS);

/** Shows tooltips for the data point under the pointer; "@column" fields read the renderer's data source. */
export interface HoverToolProps extends ToolProps {
  renderers: Renderers;
  tooltips: Tooltips;
  /** Per-field tooltip formatters, e.g. `{"@date": "datetime"}`. */
  formatters: Record<string, string | Model>;
  mode: "mouse" | "hline" | "vline";
  point_policy: "snap_to_data" | "follow_mouse" | "none";
  line_policy: "prev" | "next" | "nearest" | "interp" | "none";
  callback: Model | null;
}
export const HoverTool = defineModel<HoverToolProps>("HoverTool", {
  ...TOOL_DEFAULTS,
  renderers: "auto",
  tooltips: undefined,
  formatters: undefined,
  mode: "mouse",
  point_policy: "snap_to_data",
  line_policy: "nearest",
  callback: null,
});
export type HoverTool = InstanceType<typeof HoverTool>;

interface SelectToolProps extends ToolProps { renderers: Renderers; mode: "replace" | "append" | "intersect" | "subtract" | "xor" | "toggle" }
/** Selects the data point(s) clicked; `callback` (e.g. CustomJS or OpenURL) runs in the browser. */
export interface TapToolProps extends SelectToolProps { behavior: "select" | "inspect"; gesture: "tap" | "doubletap"; callback: Model | null }
export const TapTool = defineModel<TapToolProps>("TapTool", {
  ...TOOL_DEFAULTS, renderers: "auto", mode: "toggle", behavior: "select", gesture: "tap", callback: null,
});
export interface BoxSelectToolProps extends SelectToolProps { dimensions: Dimensions; overlay: Model; continuous: boolean }
export const BoxSelectTool = defineModel<BoxSelectToolProps>("BoxSelectTool", {
  ...TOOL_DEFAULTS, renderers: "auto", mode: "replace", dimensions: "both", overlay: undefined, continuous: false,
});
export interface LassoSelectToolProps extends SelectToolProps { overlay: Model; continuous: boolean }
export const LassoSelectTool = defineModel<LassoSelectToolProps>("LassoSelectTool", {
  ...TOOL_DEFAULTS, renderers: "auto", mode: "replace", overlay: undefined, continuous: true,
});
export const PolySelectTool = defineModel<SelectToolProps & { overlay: Model }>("PolySelectTool", {
  ...TOOL_DEFAULTS, renderers: "auto", mode: "replace", overlay: undefined,
});
export interface CrosshairToolProps extends ToolProps { dimensions: Dimensions; line_color: string; line_alpha: number; line_width: number }
export const CrosshairTool = defineModel<CrosshairToolProps>("CrosshairTool", {
  ...TOOL_DEFAULTS, dimensions: "both", line_color: "black", line_alpha: 1, line_width: 1,
});

const DASHED_OVERLAY = { line_color: "black", line_alpha: 1.0, line_width: 2, line_dash: [4, 4], fill_color: "lightgrey", fill_alpha: 0.5 };

/** The dashed box Python gives box zoom (canvas units) and box select (data units, editable) tools. */
function boxOverlay(select: boolean): Model {
  const handles = new Model("BoxInteractionHandles", {
    all: new Model("AreaVisuals", { fill_color: "white", hover_fill_color: "lightgray" }),
  });
  const units = select ? {} : { left_units: "canvas", right_units: "canvas", top_units: "canvas", bottom_units: "canvas" };
  return new Model("BoxAnnotation", {
    syncable: false,
    ...DASHED_OVERLAY,
    level: "overlay",
    visible: false,
    editable: select ? true : undefined,
    left: NaN,
    right: NaN,
    top: NaN,
    bottom: NaN,
    ...units,
    handles,
  });
}

function polyOverlay(): Model {
  return new Model("PolyAnnotation", { syncable: false, ...DASHED_OVERLAY, level: "overlay", visible: false, editable: true });
}

/** The hover tool of `tools="hover"`: Python's default tooltips. */
function defaultHover(): Model {
  return new HoverTool({ renderers: "auto", tooltips: [["index", "$index"], ["data (x, y)", "($x, $y)"], ["screen (x, y)", "($sx, $sy)"]] });
}

const TOOLS = {
  pan: () => new PanTool(),
  xpan: () => new PanTool({ dimensions: "width" }),
  ypan: () => new PanTool({ dimensions: "height" }),
  wheel_zoom: () => new WheelZoomTool({ renderers: "auto" }),
  xwheel_zoom: () => new WheelZoomTool({ dimensions: "width", renderers: "auto" }),
  ywheel_zoom: () => new WheelZoomTool({ dimensions: "height", renderers: "auto" }),
  box_zoom: () => new BoxZoomTool({ overlay: boxOverlay(false) }),
  xbox_zoom: () => new BoxZoomTool({ dimensions: "width", overlay: boxOverlay(false) }),
  ybox_zoom: () => new BoxZoomTool({ dimensions: "height", overlay: boxOverlay(false) }),
  save: () => new SaveTool(),
  reset: () => new ResetTool(),
  help: () => new HelpTool(),
  hover: defaultHover,
  tap: () => new TapTool({ renderers: "auto" }),
  doubletap: () => new TapTool({ renderers: "auto", gesture: "doubletap" }),
  box_select: () => new BoxSelectTool({ renderers: "auto", overlay: boxOverlay(true) }),
  xbox_select: () => new BoxSelectTool({ renderers: "auto", dimensions: "width", overlay: boxOverlay(true) }),
  ybox_select: () => new BoxSelectTool({ renderers: "auto", dimensions: "height", overlay: boxOverlay(true) }),
  lasso_select: () => new LassoSelectTool({ renderers: "auto", overlay: polyOverlay() }),
  poly_select: () => new PolySelectTool({ renderers: "auto", overlay: polyOverlay() }),
  crosshair: () => new CrosshairTool(),
  xcrosshair: () => new CrosshairTool({ dimensions: "width" }),
  ycrosshair: () => new CrosshairTool({ dimensions: "height" }),
} satisfies Record<string, () => Model>;

/** Tool names `figure(tools=...)` and `add_tools` accept (Python's aliases). */
export type ToolName = keyof typeof TOOLS;
/** `tools` as `figure()` takes it: "pan,box_zoom" or a list of names and tool models. */
export type ToolsInit = string | ReadonlyArray<ToolName | Model>;

/** Tool models for `tools`, plus the name → tool map Python uses to resolve `active_drag="pan"` etc. */
export function makeTools(tools: ToolsInit | ReadonlyArray<string | Model>): { tools: Model[]; byName: Map<string, Model> } {
  const items = typeof tools === "string" ? tools.split(",") : tools;
  const out: Model[] = [];
  const byName = new Map<string, Model>();
  for (const item of items) {
    if (item instanceof Model) {
      out.push(item);
      continue;
    }
    const name = item.trim();
    if (name === "") continue;
    const make = (TOOLS as Record<string, (() => Model) | undefined>)[name];
    if (make === undefined) {
      throw new DocumentError(
        "bad_argument",
        `unknown tool '${name}'; use one of ${Object.keys(TOOLS).join(", ")} or pass a tool model (e.g. new TapTool({...}))`,
      );
    }
    const tool = make();
    out.push(tool);
    byName.set(name, tool);
  }
  return { tools: out, byName };
}
