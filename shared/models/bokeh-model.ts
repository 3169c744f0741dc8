import { DocumentError, Model, registerModelType, type ChangeCallback, type ModelOptions } from "../document/index.ts";
import { canonicalEventName, toUIEvent, type EventName, type UIEvent } from "./ui-events.ts";

/** Attributes every Bokeh model has (Python's `Model`), settable on any typed model. */
export interface ModelProps {
  name: string | null;
  tags: unknown[];
  syncable: boolean;
}

/** Typed change callback: the attribute name and its old and new values. */
export type TypedChangeCallback<P, K extends keyof P> = (attr: K, old: P[K], value: P[K]) => unknown;

function appendCallbacks(model: Model, attr: string, key: string, callbacks: readonly Model[]): void {
  for (const cb of callbacks) {
    if (!(cb instanceof Model)) throw new DocumentError("bad_argument", `${attr} takes callback models such as CustomJS`);
  }
  const current = model.get<unknown>(attr);
  const map = new Map<string, Model[]>(current instanceof Map ? (current as Map<string, Model[]>) : []);
  const list = map.get(key) ?? [];
  map.set(key, [...list, ...callbacks.filter((cb) => !list.includes(cb))]);
  model.set(attr, map);
}

/**
 * A Bokeh model with typed attributes `P`: `on_change` only takes attribute names of `P` and hands the callback
 * typed values; `on_event` takes the UI event names BokehJS sends (Python's snake_case aliases too, such as
 * "selection_geometry") and hands the callback a typed event; `js_on_change`/`js_on_event` attach browser-side
 * callbacks (CustomJS). Untyped use stays possible through the generic `Model` API: `get`, `set`, and
 * `(model as Model).on_change("any_attr", cb)` for attributes the typed interface does not list.
 */
export class BokehModel<P extends object = Record<string, unknown>> extends Model {
  override on_change<K extends keyof P & string>(attr: K | readonly K[], cb: TypedChangeCallback<P, K>): () => void {
    return super.on_change(attr, cb as ChangeCallback);
  }

  override on_event<E extends EventName>(name: E, cb: (event: UIEvent<E>) => unknown): () => void {
    return super.on_event(canonicalEventName(name), (event) => cb(toUIEvent<E>(event)));
  }

  /** Runs the callback models (e.g. CustomJS) in the browser when `attr` changes there; Python's `js_on_change`. */
  js_on_change(attr: (keyof P & string) | `change:${string}`, ...callbacks: Model[]): void {
    const key = attr.startsWith("change:") ? attr : `change:${attr}`;
    appendCallbacks(this, "js_property_callbacks", key, callbacks);
  }

  /** Runs the callback models in the browser on a UI event of this model; Python's `js_on_event`. */
  js_on_event(event: EventName, ...callbacks: Model[]): void {
    appendCallbacks(this, "js_event_callbacks", canonicalEventName(event), callbacks);
  }
}

/** Default attribute values of a typed model, one entry per attribute (undefined: no default, BokehJS decides). */
export type Defaults<P> = { readonly [K in keyof P]-?: P[K] | undefined };

/** Construction options: every attribute optional except the required ones `R`. */
export type InitOf<P, R extends keyof P = never> = { [K in Exclude<keyof P, R>]?: P[K] } & { [K in R]: P[K] };

/** Constructor arguments: the init object is optional when nothing is required. */
export type ModelArgs<P, R extends keyof P> = [R] extends [never]
  ? [init?: InitOf<P, R>, opts?: ModelOptions]
  : [init: InitOf<P, R>, opts?: ModelOptions];

/** An instance of a typed model: the model API plus one accessor per attribute. */
export type TypedModel<P extends object> = BokehModel<P> & P;

/** A typed model class; like Python, it can be called without `new`. */
export interface TypedModelClass<P extends object, R extends keyof P = never, M = TypedModel<P>> {
  new (...args: ModelArgs<P, R>): M;
  (...args: ModelArgs<P, R>): M;
  readonly prototype: M;
  /** The Bokeh model name. */
  readonly modelType: string;
}

/** Extras of {@link defineModel}. */
export interface ModelExtras<P> {
  /** Per-attribute conversions applied on construction and on `set` (e.g. a Date to Bokeh's date string). */
  normalize?: { readonly [K in keyof P]?: (value: unknown) => unknown };
  /**
   * Values Python writes even when not given (its model-valued defaults, e.g. a CDSView's AllIndices filter):
   * made fresh for each new instance, not for parsed ones.
   */
  create?: () => { [K in keyof P]?: P[K] };
}

function defaultValue(value: unknown): unknown {
  return Array.isArray(value) ? Object.freeze([...value]) : value;
}

/**
 * Defines the class of a Bokeh model from its attribute defaults (in Python's declaration order, base classes
 * first, which is the order attributes are written in). Attributes given at construction are written in that
 * order; the rest keep BokehJS's defaults and are not written, as Python does. Reading an unset attribute returns
 * the default. The class is registered, so parsed documents build it too.
 */
export function defineModel<P extends object, R extends keyof P = never>(
  type: string,
  defaults: Defaults<P>,
  extras: ModelExtras<P> = {},
): TypedModelClass<P, R> {
  const keys = Object.keys(defaults);
  // A Map of the object's own entries: attribute names come from clients, and `conv["hasOwnProperty"]` on a plain
  // object would find Object.prototype's methods.
  const conv = new Map(Object.entries(extras.normalize ?? {}) as Array<[string, ((value: unknown) => unknown) | undefined]>);
  const table = defaults as Record<string, unknown>;

  class Defined extends BokehModel<P> {
    static readonly modelType = type;

    constructor(given: Record<string, unknown> = {}, opts: ModelOptions = {}) {
      const created = opts.bare === true || extras.create === undefined ? {} : (extras.create() as Record<string, unknown>);
      const init: Record<string, unknown> = { ...created };
      for (const [key, value] of Object.entries(given)) if (value !== undefined) init[key] = value;
      const ordered: Record<string, unknown> = {};
      for (const key of keys) if (init[key] !== undefined) ordered[key] = conv.get(key)?.(init[key]) ?? init[key];
      for (const [key, value] of Object.entries(init)) if (!(key in ordered) && value !== undefined) ordered[key] = value;
      super(type, ordered, opts);
    }

    override set(attr: string, value: unknown, setter?: unknown): void {
      const fn = conv.get(attr);
      super.set(attr, fn !== undefined && value !== undefined && value !== null ? fn(value) : value, setter);
    }
  }

  for (const key of keys) {
    Object.defineProperty(Defined.prototype, key, {
      configurable: true,
      enumerable: false,
      get(this: Model) {
        return this.has(key) ? this.get(key) : defaultValue(table[key]);
      },
      set(this: Model, value: unknown) {
        this.set(key, value);
      },
    });
  }
  registerModelType(type, (id) => new Defined({}, { id, bare: true }));
  return new Proxy(Defined, {
    apply: (target, _this, args: unknown[]) => new target(...(args as [Record<string, unknown>, ModelOptions])),
  }) as unknown as TypedModelClass<P, R>;
}

/**
 * Makes a subclass of a typed model callable without `new` and registers it under its model name, so parsed
 * documents build it (with its extra methods) instead of the base class.
 */
export function finishModel<C extends (new (...args: any[]) => Model) & { readonly modelType: string }>(cls: C): C & ((...args: ConstructorParameters<C>) => InstanceType<C>) {
  registerModelType(cls.modelType, (id) => new cls({}, { id, bare: true }));
  return new Proxy(cls, {
    apply: (target, _this, args: unknown[]) => new target(...args),
  }) as C & ((...args: ConstructorParameters<C>) => InstanceType<C>);
}
