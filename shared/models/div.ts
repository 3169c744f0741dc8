import { Model, registerModelType, type ModelOptions } from "../document/index.ts";
import { callable } from "./callable.ts";

/** Div options (`text` is HTML); extra attributes pass verbatim. */
export interface DivInit {
  text?: string;
  name?: string;
  [attr: string]: unknown;
}

/** Bokeh's Div widget. */
class DivModel extends Model {
  constructor(init: DivInit = {}, opts: ModelOptions = {}) {
    super("Div", init, opts);
  }

  get text(): string {
    return this.get<string>("text");
  }
  set text(value: string) {
    this.set("text", value);
  }
}

registerModelType("Div", (id) => new DivModel({}, { id }));

export const Div = callable(DivModel);
export type Div = DivModel;
