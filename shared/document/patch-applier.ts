import { patchColumns, streamColumns, typedLikeColumns } from "./column-data.ts";
import { DocumentError } from "./errors.ts";
import type { BokehEvent, Model } from "./model.ts";
import type { PatchOp } from "./patch-decoder.ts";

/** The document operations incoming events map onto (implemented by `Document`; kept structural to avoid a cycle). */
export interface PatchTarget {
  add_root(model: Model, setter?: unknown): void;
  remove_root(model: Model, setter?: unknown): void;
  set_title(title: string, setter?: unknown): void;
  _dispatch_document_event(event: BokehEvent): void;
  _dispatch_message(msg_type: string, msg_data: unknown): void;
}

function columnsOf(model: Model, attr: string): Map<string, unknown> {
  const value = model.get(attr);
  if (!(value instanceof Map)) {
    throw new DocumentError("bad_columns", `${model.type} ${model.id} has no column data in '${attr}' to stream or patch into`);
  }
  return value as Map<string, unknown>;
}

/**
 * Applies one decoded incoming event the way BokehJS does: attribute sets through `Model.set` (so subclasses such
 * as ColumnDataSource see them), column changes through the same stream/patch rules app code uses, UI events to
 * the model's or the document's callbacks. Every resulting change event carries `setter`.
 */
export function applyPatchOp(target: PatchTarget, op: PatchOp, setter: unknown): void {
  switch (op.kind) {
    case "ModelChanged":
      op.model.set(op.attr, op.value, setter);
      return;
    case "ColumnDataChanged": {
      if (op.cols === null) {
        op.model._change(op.attr, op.data, setter, { kind: op.kind, data: op.data, cols: null });
        return;
      }
      const current = op.model.get(op.attr);
      const next = new Map(current instanceof Map ? (current as Map<string, unknown>) : []);
      const sent = new Map(op.cols.filter((c) => op.data.has(c)).map((c) => [c, op.data.get(c)]));
      for (const [col, values] of sent) next.set(col, values);
      op.model._change(op.attr, next, setter, { kind: op.kind, data: sent, cols: op.cols });
      return;
    }
    case "ColumnsStreamed": {
      const current = columnsOf(op.model, op.attr);
      const data = typedLikeColumns(current, op.data);
      const next = streamColumns(current, data, op.rollover);
      op.model._change(op.attr, next, setter, { kind: op.kind, data, rollover: op.rollover });
      return;
    }
    case "ColumnsPatched": {
      const next = patchColumns(columnsOf(op.model, op.attr), op.patches);
      op.model._change(op.attr, next, setter, { kind: op.kind, patches: op.patches });
      return;
    }
    case "RootAdded":
      target.add_root(op.model, setter);
      return;
    case "RootRemoved":
      target.remove_root(op.model, setter);
      return;
    case "TitleChanged":
      target.set_title(op.title, setter);
      return;
    case "BokehEvent":
      if (op.event.model !== null) op.event.model._dispatch_event(op.event);
      else target._dispatch_document_event(op.event);
      return;
    case "MessageSent":
      target._dispatch_message(op.msg_type, op.msg_data);
      return;
  }
}
