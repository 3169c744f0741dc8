import type { ColumnChange } from "./column-data.ts";
import { noteId, nextId } from "./ids.ts";
import { NDArray, isTypedArray } from "./ndarray.ts";

/**
 * A UI event sent by BokehJS (`MessageSent` with msg_type "bokeh_event"): `button_click`, `tap`,
 * `document_ready`, ... `values` holds the event's fields other than `model` (e.g. `x`, `y`, `sx`, `sy` for a tap).
 * No per-event classes: the names and fields are BokehJS's.
 */
export interface BokehEvent {
  readonly name: string;
  /** The model the event is about, or null for document-level events such as `document_ready`. */
  readonly model: Model | null;
  readonly values: Readonly<Record<string, unknown>>;
}

export type ChangeCallback = (attr: string, old: unknown, value: unknown) => unknown;
export type EventCallback = (event: BokehEvent) => unknown;

/**
 * What a model needs from the document it is attached to. Implemented by `Document`; kept here so that
 * `model.ts` does not import `document.ts` (no import cycles in `shared/`).
 */
export interface ModelHost {
  /** Called after an attribute changed; may throw (e.g. duplicate id), in which case the change is reverted. */
  _model_changed(model: Model, attr: string, old: unknown, value: unknown, setter: unknown, hint?: ColumnChange): void;
  /** Runs a user callback with this document current, routing sync and async errors to its error handler. */
  _invoke(where: string, fn: () => unknown): void;
}

/**
 * Filled in by `document.ts` (module augmentation) so `model.document` is typed as the real `Document` without
 * `model.ts` importing it.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DocumentTypeSlot {}
type DocumentOfModel = DocumentTypeSlot extends { document: infer D } ? D : ModelHost;

/** Construction options. `id` keeps an existing id (parsed documents); `bare` skips a subclass's default attributes. */
export interface ModelOptions {
  id?: string;
  /** Used by the deserializer: build the instance without the defaults a subclass constructor would add. */
  bare?: boolean;
}

/**
 * One Bokeh model on the server side: a type name (any string, so custom models round-trip), an id, and the
 * attributes that were explicitly set (the only ones serialized, as Bokeh writes only non-default properties).
 * There is no property schema and no validation here: BokehJS validates on the client, and this layer only has to
 * carry values faithfully. Attribute values are JSON-like values, Models, Map, Set, NaN/±Infinity, typed arrays,
 * {@link NDArray}, ArrayBuffer (raw bytes) and tagged objects such as `{type: "field", field: "x"}`.
 */
export class Model {
  readonly id: string;
  readonly type: string;
  private readonly _attrs = new Map<string, unknown>();
  private readonly _changeCallbacks = new Map<string, ChangeCallback[]>();
  private readonly _eventCallbacks = new Map<string, EventCallback[]>();
  /** @internal set by the owning document */
  _host: ModelHost | null = null;

  constructor(type: string, attrs?: Readonly<Record<string, unknown>>, opts: ModelOptions = {}) {
    this.type = type;
    if (opts.id !== undefined) {
      noteId(opts.id);
      this.id = opts.id;
    } else {
      this.id = nextId();
    }
    for (const [k, v] of Object.entries(attrs ?? {})) {
      if (v !== undefined) this._attrs.set(k, v);
    }
  }

  /** The document this model is attached to (reachable from one of its roots), or null. */
  get document(): DocumentOfModel | null {
    return this._host as DocumentOfModel | null;
  }

  /** Only the explicitly set attributes, in the order they were first set. */
  get attributes(): ReadonlyMap<string, unknown> {
    return this._attrs;
  }

  get<T = unknown>(attr: string): T {
    return this._attrs.get(attr) as T;
  }

  has(attr: string): boolean {
    return this._attrs.has(attr);
  }

  /**
   * Sets an attribute. When attached, the document emits ModelChanged carrying `setter` (so the session that sent
   * a change does not get it back). Setting the identical value again is a no-op, as in Bokeh.
   */
  set(attr: string, value: unknown, setter?: unknown): void {
    this._change(attr, value, setter);
  }

  /** @internal the one path for attribute changes; `hint` announces a column change instead of ModelChanged. */
  _change(attr: string, value: unknown, setter: unknown, hint?: ColumnChange): void {
    const had = this._attrs.has(attr);
    const old = this._attrs.get(attr);
    if (hint === undefined && had && Object.is(old, value)) return;
    this._attrs.set(attr, value);
    if (this._host !== null) {
      try {
        this._host._model_changed(this, attr, old, value, setter, hint);
      } catch (err) {
        if (had) this._attrs.set(attr, old);
        else this._attrs.delete(attr);
        throw err;
      }
    }
    this._trigger_change(attr, old, value);
  }

  /** @internal used by the deserializer to fill a fresh instance without events. */
  _init_attribute(attr: string, value: unknown): void {
    this._attrs.set(attr, value);
  }

  /** Calls `cb(attr, old, new)` after each change of the attribute(s). Returns a function that unsubscribes. */
  on_change(attr: string | readonly string[], cb: ChangeCallback): () => void {
    const attrs = typeof attr === "string" ? [attr] : [...attr];
    for (const a of attrs) {
      const list = this._changeCallbacks.get(a) ?? [];
      list.push(cb);
      this._changeCallbacks.set(a, list);
    }
    return () => {
      for (const a of attrs) {
        const list = this._changeCallbacks.get(a);
        if (list !== undefined) this._changeCallbacks.set(a, list.filter((c) => c !== cb));
      }
    };
  }

  /**
   * Calls `cb` for the UI event `name` (e.g. "button_click") sent about this model. Also adds `name` to the
   * model's `subscribed_events`, because BokehJS only sends the model events listed there.
   */
  on_event(name: string, cb: EventCallback): () => void {
    const list = this._eventCallbacks.get(name) ?? [];
    list.push(cb);
    this._eventCallbacks.set(name, list);
    const subscribed = this.get<unknown>("subscribed_events");
    const current = subscribed instanceof Set ? (subscribed as Set<unknown>) : new Set<unknown>();
    if (!current.has(name)) this.set("subscribed_events", new Set([...current, name]));
    return () => {
      const now = this._eventCallbacks.get(name);
      if (now !== undefined) this._eventCallbacks.set(name, now.filter((c) => c !== cb));
    };
  }

  /** @internal runs this model's callbacks for `event` (through the document, so errors are routed). */
  _dispatch_event(event: BokehEvent): void {
    for (const cb of [...(this._eventCallbacks.get(event.name) ?? [])]) {
      this._run(`on_event(${event.name}) of ${this.type} ${this.id}`, () => cb(event));
    }
  }

  private _trigger_change(attr: string, old: unknown, value: unknown): void {
    for (const cb of [...(this._changeCallbacks.get(attr) ?? [])]) {
      this._run(`on_change(${attr}) of ${this.type} ${this.id}`, () => cb(attr, old, value));
    }
  }

  private _run(where: string, fn: () => unknown): void {
    if (this._host !== null) this._host._invoke(where, fn);
    else fn();
  }

  /** Every model reachable from this one through attribute values, including itself. */
  references(): Set<Model> {
    const found = new Set<Model>();
    collectModels(this, found);
    return found;
  }

  toString(): string {
    return `${this.type}(id=${JSON.stringify(this.id)})`;
  }
}

/** Adds every model reachable from `value` (and the models inside those) to `found`. Iterative: deep graphs are fine. */
export function collectModels(value: unknown, found: Set<Model>): void {
  walk(value, found, false);
}

/** True when `value` contains at least one model (used to decide whether a change can attach or detach models). */
export function containsModel(value: unknown): boolean {
  return walk(value, new Set(), true);
}

/** Depth-first search for models; with `stopAtFirst` returns as soon as one is found. Returns whether any was. */
function walk(value: unknown, found: Set<Model>, stopAtFirst: boolean): boolean {
  const stack: unknown[] = [value];
  let any = false;
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== "object" || isTypedArray(v) || v instanceof ArrayBuffer) continue;
    if (v instanceof Model) {
      any = true;
      if (stopAtFirst) return true;
      if (found.has(v)) continue;
      found.add(v);
      for (const attr of v.attributes.values()) stack.push(attr);
    } else if (Array.isArray(v)) {
      for (const item of v) if (item !== null && typeof item === "object") stack.push(item);
    } else if (v instanceof Map) {
      for (const [k, item] of v) stack.push(k, item);
    } else if (v instanceof Set) {
      for (const item of v) stack.push(item);
    } else if (v instanceof NDArray) {
      if (Array.isArray(v.data)) stack.push(v.data);
    } else {
      for (const item of Object.values(v)) stack.push(item);
    }
  }
  return any;
}
