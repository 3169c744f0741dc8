import { DocumentError, type Model } from "../document/index.ts";
import type { BokehModel } from "./bokeh-model.ts";

/** The typed attributes of a typed model (`P` of `BokehModel<P>`). */
export type PropsOf<M> = M extends BokehModel<infer P> ? P : Record<string, unknown>;

/**
 * Python's "splattable list" (`p.xaxis`, `p.legend`, `p.xgrid`, `p.hover`): a list of models where assigning an
 * attribute sets it on every one (`p.xaxis.axis_label = "time"`), and reading one works when the list has exactly
 * one model.
 */
export type Splat<M> = readonly M[] & PropsOf<M>;

/** Wraps `models` as a {@link Splat}. */
export function splat<M extends Model>(models: readonly M[]): Splat<M> {
  const items = [...models];
  return new Proxy(items, {
    get(target, prop, receiver) {
      if (typeof prop !== "string" || prop in target) return Reflect.get(target, prop, receiver);
      if (target.length === 1) return (target[0] as unknown as Record<string, unknown>)[prop];
      throw new DocumentError("bad_argument", `this list holds ${target.length} models: read '${prop}' from one of them (e.g. [0])`);
    },
    set(target, prop, value, receiver) {
      if (typeof prop !== "string" || prop in target) return Reflect.set(target, prop, value, receiver);
      for (const model of target) model.set(prop, value);
      return true;
    },
  }) as unknown as Splat<M>;
}
