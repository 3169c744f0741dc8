import { binPoints, compactCounts, type PointSelection } from "./bin-counts.ts";
import { isSortedAscending } from "./column-stats.ts";
import { gridIndex, overlappingRuns } from "./grid-index.ts";
import { lineIndices, type LineMethod } from "./line-view.ts";
import { visibleSlice } from "./min-max.ts";

/**
 * What a plot shows: the visible data rectangle and the frame's size in pixels. `x0 ≤ x1`, `y0 ≤ y1`.
 */
export interface Viewport {
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
  /** Frame width in pixels. */
  readonly width: number;
  /** Frame height in pixels. */
  readonly height: number;
}

/** How a view is made: a line's method, or a scatter's point threshold and bin size. */
export interface ViewSettings {
  readonly mode: "line" | "scatter";
  /** Lines: min-max (default) or LTTB. */
  readonly method?: LineMethod;
  /** Scatters: the raw points are sent when at most this many are visible, else the aggregate image. */
  readonly maxPoints: number;
  /** Scatters: side of an aggregate bin in screen pixels (1: one bin per pixel). */
  readonly binSize: number;
}

/** An aggregate image of visible points: counts per screen bin over the visible rectangle. */
export interface AggregateImage {
  /** Points per bin, row-major from the bottom row, in the smallest unsigned type that holds the largest count. */
  readonly counts: Uint8Array | Uint16Array | Uint32Array;
  readonly nx: number;
  readonly ny: number;
  readonly x0: number;
  readonly y0: number;
  readonly dw: number;
  readonly dh: number;
  readonly maxCount: number;
}

/** A view: the indices of the points to send, or (a scatter with too many visible points) an aggregate image. */
export type View =
  | { readonly kind: "points"; readonly indices: Int32Array }
  | { readonly kind: "image"; readonly image: AggregateImage; readonly visible: number };

/**
 * The view of columns `x`, `y` for `viewport`: a line's indices (sorted `x`, at most `2 · width + 2`), or a
 * scatter's visible points (at most `maxPoints`) or aggregate image (`ceil(width / binSize) × ceil(height / binSize)`),
 * reading only the candidates {@link candidates} picks.
 */
export function computeView(x: ArrayLike<number>, y: ArrayLike<number>, viewport: Viewport, settings: ViewSettings): View {
  if (settings.mode === "line") {
    const indices = lineIndices(x, y, { start: viewport.x0, end: viewport.x1, columns: viewport.width }, settings.method ?? "minmax");
    return { kind: "points", indices };
  }
  const bin = Math.max(1, settings.binSize);
  const nx = Math.max(1, Math.ceil(viewport.width / bin));
  const ny = Math.max(1, Math.ceil(viewport.height / bin));
  const { x0, x1, y0, y1 } = viewport;
  const binned = binPoints(x, y, { x0, x1, y0, y1, nx, ny }, settings.maxPoints, candidates(x, y, viewport));
  if (binned.indices !== null) return { kind: "points", indices: binned.indices };
  const counts = compactCounts(binned.counts, binned.maxCount);
  return { kind: "image", visible: binned.visible, image: { counts, nx, ny, x0, y0, dw: x1 - x0, dh: y1 - y0, maxCount: binned.maxCount } };
}

/**
 * The points a scatter view must look at: the visible x slice when `x` is sorted (points of a time series), else
 * the points of the grid cells the viewport overlaps when that is under a sixteenth of them (a zoomed-in view), else
 * all: reading points through the index, cell by cell, costs several times a plain scan's sequential reads.
 */
export function candidates(x: ArrayLike<number>, y: ArrayLike<number>, viewport: Viewport): PointSelection {
  if (isSortedAscending(x)) {
    const [from, to] = visibleSlice(x, { start: viewport.x0, end: viewport.x1 });
    return { from, to };
  }
  const index = gridIndex(x, y);
  const { runs, points } = overlappingRuns(index, viewport.x0, viewport.x1, viewport.y0, viewport.y1);
  return points < x.length / 16 ? { order: index.order, runs } : { from: 0, to: x.length };
}
