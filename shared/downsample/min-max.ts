import { blockExtremes, rangeExtremes } from "./block-extremes.ts";
import { lowerBound, upperBound } from "./sorted-search.ts";

/**
 * The visible part of a line's x axis and the pixel columns it spans. Pixel column `c` (0 ≤ c < columns) holds
 * the points with `columnEdge(w, c) ≤ x < columnEdge(w, c + 1)`; the last column also holds `x = end`.
 */
export interface XWindow {
  /** Left edge of the visible x range, in data units; less than or equal to `end`. */
  readonly start: number;
  /** Right edge of the visible x range. */
  readonly end: number;
  /** Pixel columns across the window (the plot's inner width), at least 1. */
  readonly columns: number;
}

/** The left edge of pixel column `c` of the window, in data units. */
export function columnEdge(w: XWindow, c: number): number {
  return w.start + ((w.end - w.start) * c) / w.columns;
}

/** `[first, end)` indices of the points of a sorted `x` inside `[start, end]`. */
export function visibleSlice(x: ArrayLike<number>, w: Pick<XWindow, "start" | "end">): [number, number] {
  return [lowerBound(x, w.start), upperBound(x, w.end)];
}

/**
 * Min-max downsampling of a line (`x` sorted ascending) for the visible window: for every pixel column, the
 * indices of its first smallest and first largest `y` (NaN ignored; once when they are the same point), in index
 * order, plus the last point before the window and the first point after it, so the line runs to the frame's
 * edges. At most `2 · columns + 2` indices, strictly increasing. The drawn line thus has the full data's vertical
 * extent in every pixel column. Pixel columns are found by binary search on `x`, extremes through the cached
 * {@link blockExtremes} of `y`: a zoomed-out view of 10M points reads about 1/100 of them.
 */
export function minMaxIndices(x: ArrayLike<number>, y: ArrayLike<number>, w: XWindow): Int32Array {
  const columns = Math.max(1, Math.floor(w.columns));
  const win = { start: w.start, end: w.end, columns };
  const [first, end] = visibleSlice(x, win);
  const blocks = blockExtremes(y);
  const out = new Int32Array(Math.min(2 * columns, end - first) + 2);
  let k = 0;
  if (first > 0) out[k++] = first - 1;
  let lo = first;
  for (let c = 0; c < columns && lo < end; c++) {
    const hi = c === columns - 1 ? end : lowerBound(x, columnEdge(win, c + 1), lo, end);
    if (hi > lo) {
      const [iMin, iMax] = rangeExtremes(y, blocks, lo, hi);
      if (iMin >= 0) {
        out[k++] = Math.min(iMin, iMax);
        if (iMin !== iMax) out[k++] = Math.max(iMin, iMax);
      }
    }
    lo = hi;
  }
  if (end < x.length) out[k++] = end;
  return out.subarray(0, k);
}
