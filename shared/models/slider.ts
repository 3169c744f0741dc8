import { Model, registerModelType, type ModelOptions } from "../document/index.ts";
import { callable } from "./callable.ts";

/** Slider options; attributes left out keep BokehJS's defaults (e.g. step 1). Extra attributes pass verbatim. */
export interface SliderInit {
  start?: number;
  end?: number;
  value?: number;
  step?: number;
  title?: string;
  name?: string;
  [attr: string]: unknown;
}

const ORDER = ["name", "title", "start", "end", "value", "step"];

/** Bokeh's Slider widget with typed accessors for its numeric attributes. */
class SliderModel extends Model {
  constructor(init: SliderInit = {}, opts: ModelOptions = {}) {
    const ordered: Record<string, unknown> = {};
    for (const key of ORDER) if (init[key] !== undefined) ordered[key] = init[key];
    super("Slider", { ...ordered, ...init }, opts);
  }

  get value(): number {
    return this.get<number>("value");
  }
  set value(value: number) {
    this.set("value", value);
  }
  get start(): number {
    return this.get<number>("start");
  }
  set start(value: number) {
    this.set("start", value);
  }
  get end(): number {
    return this.get<number>("end");
  }
  set end(value: number) {
    this.set("end", value);
  }
  get step(): number {
    return this.get<number>("step");
  }
  set step(value: number) {
    this.set("step", value);
  }
  get title(): string {
    return this.get<string>("title");
  }
  set title(value: string) {
    this.set("title", value);
  }
}

registerModelType("Slider", (id) => new SliderModel({}, { id }));

export const Slider = callable(SliderModel);
export type Slider = SliderModel;
