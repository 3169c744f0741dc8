import { Model, registerModelType, type EventCallback, type ModelOptions } from "../document/index.ts";
import { callable } from "./callable.ts";

/** Button options; extra attributes pass verbatim. */
export interface ButtonInit {
  label?: string;
  button_type?: "default" | "primary" | "success" | "warning" | "danger" | "light";
  name?: string;
  [attr: string]: unknown;
}

/** Bokeh's Button widget. */
class ButtonModel extends Model {
  constructor(init: ButtonInit = {}, opts: ModelOptions = {}) {
    super("Button", init, opts);
  }

  get label(): string {
    return this.get<string>("label");
  }
  set label(value: string) {
    this.set("label", value);
  }

  /** Runs `cb` on each click (the `button_click` event); returns the unsubscribe function. */
  on_click(cb: EventCallback): () => void {
    return this.on_event("button_click", cb);
  }
}

registerModelType("Button", (id) => new ButtonModel({}, { id }));

export const Button = callable(ButtonModel);
export type Button = ButtonModel;
