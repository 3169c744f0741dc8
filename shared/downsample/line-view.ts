import { lttbIndices } from "./lttb.ts";
import { minMaxIndices, visibleSlice, type XWindow } from "./min-max.ts";

/** How a line is thinned: min-max (every pixel column's extremes; the default) or LTTB (shape, same point budget). */
export type LineMethod = "minmax" | "lttb";

/**
 * The indices of a sorted line to draw in the visible window: all visible points (plus one on each side) when
 * there are at most two per pixel column, else those `method` picks. Never more than `2 · columns + 2`.
 */
export function lineIndices(x: ArrayLike<number>, y: ArrayLike<number>, w: XWindow, method: LineMethod = "minmax"): Int32Array {
  const columns = Math.max(1, Math.floor(w.columns));
  const [first, end] = visibleSlice(x, w);
  const from = Math.max(0, first - 1);
  const to = Math.min(x.length, end + 1);
  const budget = 2 * columns + 2;
  if (to - from <= budget) return Int32Array.from({ length: to - from }, (_, i) => from + i);
  if (method === "lttb") return lttbIndices(x, y, from, to, budget);
  return minMaxIndices(x, y, { start: w.start, end: w.end, columns });
}
