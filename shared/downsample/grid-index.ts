import { columnExtent } from "./column-stats.ts";

/** Cells per side of a {@link GridIndex} (at most; fewer for small data). */
const GRID = 256;

/**
 * The points of a scatter bucketed into a coarse grid over their extent: `order` lists the point indices cell by
 * cell (row-major from the bottom; ascending within a cell), `cellStart[c]` is where cell `c`'s run begins. Points
 * with NaN or infinite coordinates are left out (no view shows them).
 */
export interface GridIndex {
  readonly gx: number;
  readonly gy: number;
  readonly x0: number;
  readonly y0: number;
  /** Cells per data unit along x and y. */
  readonly sx: number;
  readonly sy: number;
  readonly cellStart: Int32Array;
  readonly order: Int32Array;
}

const cache = new WeakMap<object, WeakMap<object, GridIndex>>();

function cellOf(v: number, v0: number, s: number, g: number): number {
  const c = Math.floor((v - v0) * s);
  return c < 0 ? 0 : c >= g ? g - 1 : c;
}

/**
 * The grid index of the points `(x, y)`, built once per pair of column objects (4 bytes a point, a counting
 * sort in two passes) and cached weakly, so every session over the same module-level columns shares it. With it a
 * zoomed-in view of 10M points reads only the points of the cells it overlaps.
 */
export function gridIndex(x: ArrayLike<number>, y: ArrayLike<number>): GridIndex {
  let byY = cache.get(x);
  const cached = byY?.get(y);
  if (cached !== undefined) return cached;
  const n = Math.min(x.length, y.length);
  const ex = columnExtent(x);
  const ey = columnExtent(y);
  const side = Math.max(1, Math.min(GRID, Math.ceil(Math.sqrt(n / 16))));
  const [gx, gy] = [side, side];
  const x0 = Number.isFinite(ex.min) ? ex.min : 0;
  const y0 = Number.isFinite(ey.min) ? ey.min : 0;
  const sx = ex.max > ex.min ? gx / (ex.max - ex.min) : 0;
  const sy = ey.max > ey.min ? gy / (ey.max - ey.min) : 0;
  const cellStart = new Int32Array(gx * gy + 1);
  const cells = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const xv = x[i];
    const yv = y[i];
    if (!Number.isFinite(xv) || !Number.isFinite(yv)) continue;
    const c = cellOf(yv, y0, sy, gy) * gx + cellOf(xv, x0, sx, gx);
    cells[i] = c;
    cellStart[c + 1]++;
  }
  for (let c = 0; c < gx * gy; c++) cellStart[c + 1] += cellStart[c];
  const order = new Int32Array(cellStart[gx * gy]);
  const fill = cellStart.slice(0, gx * gy);
  for (let i = 0; i < n; i++) if (cells[i] >= 0) order[fill[cells[i]]++] = i;
  const index = { gx, gy, x0, y0, sx, sy, cellStart, order };
  if (byY === undefined) {
    byY = new WeakMap();
    cache.set(x, byY);
  }
  byY.set(y, index);
  return index;
}

/** The runs of `order` (as `[from, to)` pairs) of the cells that overlap `[x0, x1] × [y0, y1]`, and their total length. */
export function overlappingRuns(index: GridIndex, x0: number, x1: number, y0: number, y1: number): { runs: number[]; points: number } {
  const { gx, gy, sx, sy, cellStart } = index;
  const cx0 = cellOf(x0, index.x0, sx, gx);
  const cx1 = cellOf(x1, index.x0, sx, gx);
  const cy0 = cellOf(y0, index.y0, sy, gy);
  const cy1 = cellOf(y1, index.y0, sy, gy);
  const runs: number[] = [];
  let points = 0;
  for (let cy = cy0; cy <= cy1; cy++) {
    // The overlapped cells of one grid row are adjacent in `order`: one run per row.
    const from = cellStart[cy * gx + cx0];
    const to = cellStart[cy * gx + cx1 + 1];
    if (to > from) runs.push(from, to);
    points += to - from;
  }
  return { runs, points };
}
