import { Model } from "../document/index.ts";

function layout(type: "Column" | "Row", children: ReadonlyArray<Model | readonly Model[]>): Model {
  return new Model(type, { children: children.flat() });
}

/** A Column layout: `column(a, b)` or `column([a, b])`. Set other attributes (sizing_mode, ...) with `set`. */
export function column(...children: ReadonlyArray<Model | readonly Model[]>): Model {
  return layout("Column", children);
}

/** A Row layout: `row(a, b)` or `row([a, b])`. */
export function row(...children: ReadonlyArray<Model | readonly Model[]>): Model {
  return layout("Row", children);
}
