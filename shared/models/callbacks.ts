import { defineModel, type ModelProps } from "./bokeh-model.ts";
import { MODEL_DEFAULTS } from "./common-props.ts";

/** CustomJS attributes: JavaScript `code` run in the browser, with `args` (models or values) in scope by name. */
export interface CustomJSProps extends ModelProps {
  args: Map<string, unknown> | Record<string, unknown>;
  /** The function body; `cb_obj` is the model that triggered it, `cb_data` event data (tools). */
  code: string;
  module: boolean | "auto";
}

/**
 * Bokeh's CustomJS: a browser-side callback, attached with `js_on_change` / `js_on_event` or set as a tool's
 * `callback`. `args` are written as a map, as Python writes them.
 */
export const CustomJS = defineModel<CustomJSProps, "code">("CustomJS", { ...MODEL_DEFAULTS, args: undefined, code: undefined, module: "auto" }, {
  normalize: { args: (v) => (v instanceof Map ? v : new Map(Object.entries(v as object))) },
  create: () => ({ args: new Map() }),
});
export type CustomJS = InstanceType<typeof CustomJS>;
