import { Model } from "../document/index.ts";
import type { ColumnExtent, Viewport } from "../downsample/index.ts";

export type { Viewport };

/** Which axes a view depends on: a line only follows x (and the width), a scatter both. */
export interface FollowedAxes {
  readonly x: boolean;
  readonly y: boolean;
}

/** Pixels of a default plot that are not frame (axes, toolbar, borders): only for the estimate before the first layout. */
const CHROME_PX = 60;

function frameSize(plot: Model, inner: string, frame: string, outer: string): number {
  const reported = plot.get<unknown>(inner);
  if (typeof reported === "number" && reported > 0) return Math.round(reported);
  const fixed = plot.get<unknown>(frame);
  if (typeof fixed === "number" && fixed > 0) return Math.round(fixed);
  const size = plot.get<unknown>(outer);
  return Math.max(50, (typeof size === "number" && size > 0 ? size : 600) - CHROME_PX);
}

function rangeBounds(range: unknown, fallback: ColumnExtent): [number, number] {
  const start = range instanceof Model ? range.get<unknown>("start") : undefined;
  const end = range instanceof Model ? range.get<unknown>("end") : undefined;
  const a = typeof start === "number" && Number.isFinite(start) ? start : fallback.min;
  const b = typeof end === "number" && Number.isFinite(end) ? end : fallback.max;
  return a <= b ? [a, b] : [b, a];
}

/**
 * The plot's current viewport: its ranges' `start`/`end` (read low to high; unset ends fall back to the data's
 * extent) and `inner_width`/`inner_height`, which BokehJS reports after every layout (estimated from
 * `frame_width`/`width` until then).
 */
export function readViewport(plot: Model, xExtent: ColumnExtent, yExtent: ColumnExtent): Viewport {
  const [x0, x1] = rangeBounds(plot.get("x_range"), xExtent);
  const [y0, y1] = rangeBounds(plot.get("y_range"), yExtent);
  return {
    x0, x1, y0, y1,
    width: frameSize(plot, "inner_width", "frame_width", "width"),
    height: frameSize(plot, "inner_height", "frame_height", "height"),
  };
}

export function sameViewport(a: Viewport | null, b: Viewport): boolean {
  return a !== null && a.x0 === b.x0 && a.x1 === b.x1 && a.y0 === b.y0 && a.y1 === b.y1 && a.width === b.width && a.height === b.height;
}

/**
 * A Range1d over `extent` padded like DataRange1d's default (5% each side), or over the DataRange1d's own
 * `start`/`end` when it has them.
 */
function fixedRange(current: Model, extent: ColumnExtent): Model {
  const lo = Number.isFinite(extent.min) ? extent.min : 0;
  const hi = Number.isFinite(extent.max) ? extent.max : 1;
  const pad = hi > lo ? (hi - lo) * 0.05 : Math.max(1, Math.abs(lo) * 0.05);
  const start = current.get<unknown>("start");
  const end = current.get<unknown>("end");
  return new Model("Range1d", {
    start: typeof start === "number" ? start : lo - pad,
    end: typeof end === "number" ? end : hi + pad,
  });
}

/**
 * Replaces the plot's auto-ranging DataRange1d on `attr` by a Range1d over the data's extent. A downsampled view
 * must not drive the range it is computed for: BokehJS re-fits a DataRange1d to every new view (unless the user
 * has panned), which would zoom back out after each programmatic zoom. Other range models are kept.
 */
export function fixAutoRange(plot: Model, attr: "x_range" | "y_range", extent: ColumnExtent): void {
  const current = plot.get<unknown>(attr);
  if (current instanceof Model && current.type === "DataRange1d") plot.set(attr, fixedRange(current, extent));
}

/**
 * Calls `onChange` whenever what the plot shows on the followed axes changes: the followed ranges' `start`/`end`
 * (also after a range model is replaced) and the frame size. Returns the function that stops following.
 */
export function followViewport(plot: Model, axes: FollowedAxes, onChange: () => void): () => void {
  const stops: Array<() => void> = [];
  const rangeStops = new Map<string, () => void>();
  const watchRange = (attr: "x_range" | "y_range"): void => {
    rangeStops.get(attr)?.();
    const range = plot.get<unknown>(attr);
    rangeStops.set(attr, range instanceof Model ? range.on_change(["start", "end"], () => onChange()) : () => {});
  };
  const dims: string[] = [];
  if (axes.x) {
    watchRange("x_range");
    dims.push("inner_width");
    stops.push(plot.on_change("x_range", () => (watchRange("x_range"), onChange())));
  }
  if (axes.y) {
    watchRange("y_range");
    dims.push("inner_height");
    stops.push(plot.on_change("y_range", () => (watchRange("y_range"), onChange())));
  }
  stops.push(plot.on_change(dims, () => onChange()));
  return () => {
    for (const stop of [...stops, ...rangeStops.values()]) stop();
  };
}
