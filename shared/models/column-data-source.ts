import {
  Model,
  patchColumns,
  registerModelType,
  streamColumns,
  typedLikeColumns,
  toColumnData,
  toColumnPatches,
  type Column,
  type ModelOptions,
} from "../document/index.ts";
import { BokehModel } from "./bokeh-model.ts";
import { callable } from "./callable.ts";
import { Selection } from "./renderers.ts";

/** Columns as app code writes them: `{x: [1, 2], y: Float64Array.of(3, 4)}` (a Map works too). */
export type ColumnsInit = Readonly<Record<string, Column>> | ReadonlyMap<string, Column>;

/** Options for {@link ColumnDataSource}: the columns (dates as epoch ms or Date), and a name to find it by. */
export interface ColumnDataSourceInit {
  data?: ColumnsInit;
  name?: string;
  tags?: unknown[];
}

/** A user-facing patch: `{col: [[index, value], [{start, stop, step}, values]]}`. */
export type PatchesInit = Readonly<
  Record<string, ReadonlyArray<readonly [number | { start?: number | null; stop?: number | null; step?: number | null }, unknown]>>
>;

/** The typed attributes of a ColumnDataSource (`on_change` takes these names). */
export interface ColumnDataSourceProps {
  name: string | null;
  tags: unknown[];
  data: Map<string, unknown>;
  selected: Selection;
  selection_policy: Model;
}

/**
 * Bokeh's ColumnDataSource. Like Python it writes `selected` (an empty Selection) and `selection_policy`
 * (UnionRenderers) explicitly. Column changes are announced as ColumnDataChanged / ColumnsStreamed /
 * ColumnsPatched, which BokehJS applies without resending whole columns. `data` returns a fresh object each time:
 * assigning into it changes nothing; assign `source.data = {...}`, or use `stream` / `patch`.
 */
class ColumnDataSourceModel extends BokehModel<ColumnDataSourceProps> {
  constructor(init: ColumnDataSourceInit = {}, opts: ModelOptions = {}) {
    super("ColumnDataSource", undefined, opts);
    if (opts.bare === true) return;
    const { data, name, ...rest } = init;
    if (name !== undefined) this._init_attribute("name", name);
    this._init_attribute("selected", new Selection({ indices: [], line_indices: [] }));
    this._init_attribute("selection_policy", new Model("UnionRenderers"));
    this._init_attribute("data", toColumnData(data ?? {}));
    for (const [k, v] of Object.entries(rest)) if (v !== undefined) this._init_attribute(k, v);
  }

  /** The columns as a plain object (the column arrays themselves, not copies). */
  get data(): Record<string, Column> {
    return Object.fromEntries(this._columns()) as Record<string, Column>;
  }

  /** Replaces all columns; emits ColumnDataChanged with `cols: null`, as Python does. */
  set data(value: ColumnsInit) {
    this.set("data", value);
  }

  /** The selection; `source.selected.on_change("indices", cb)` sees selections made in the browser. */
  get selected(): Selection {
    return this.get<Selection>("selected");
  }

  get column_names(): string[] {
    return [...this._columns().keys()];
  }

  override set(attr: string, value: unknown, setter?: unknown): void {
    if (attr !== "data") return super.set(attr, value, setter);
    const columns = toColumnData(value as ColumnsInit);
    this._change("data", columns, setter, { kind: "ColumnDataChanged", data: columns, cols: null });
  }

  /**
   * Appends rows to every column (all existing columns, same number of rows each) and keeps only the last
   * `rollover` rows when given. Typed columns stay typed. Emits ColumnsStreamed with the appended rows only.
   */
  stream(newData: ColumnsInit, rollover?: number | null, setter?: unknown): void {
    const current = this._columns();
    const data = typedLikeColumns(current, toColumnData(newData));
    const limit = rollover ?? null;
    const next = streamColumns(current, data, limit);
    this._change("data", next, setter, { kind: "ColumnsStreamed", data, rollover: limit });
  }

  /** Replaces values at indices or slices of existing columns; emits ColumnsPatched. */
  patch(patches: PatchesInit, setter?: unknown): void {
    const normalized = toColumnPatches(patches);
    const next = patchColumns(this._columns(), normalized);
    this._change("data", next, setter, { kind: "ColumnsPatched", patches: normalized });
  }

  private _columns(): Map<string, unknown> {
    const value = this.get("data");
    return value instanceof Map ? (value as Map<string, unknown>) : new Map();
  }
}

registerModelType("ColumnDataSource", (id) => new ColumnDataSourceModel({}, { id, bare: true }));

/** `new ColumnDataSource({data})` or `ColumnDataSource({data})`. */
export const ColumnDataSource = callable(ColumnDataSourceModel);
export type ColumnDataSource = ColumnDataSourceModel;
