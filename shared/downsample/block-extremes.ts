/** Points per block of {@link blockExtremes}. */
export const EXTREMES_BLOCK = 256;

/** Per block of `block` consecutive points: the index of its smallest and largest value (-1: only NaN). */
export interface BlockExtremes {
  readonly block: number;
  readonly argMin: Int32Array;
  readonly argMax: Int32Array;
}

const cache = new WeakMap<object, BlockExtremes>();

/**
 * The extremes of every block of `EXTREMES_BLOCK` points of `y`, computed once per column object and cached
 * (weakly) for every later caller, so sessions that share module-level columns share it too (8 bytes per block,
 * 1/32 of a Float64Array's size). It turns a zoomed-out min-max pass over millions of points into one over
 * thousands of blocks. Columns are treated as immutable.
 */
export function blockExtremes(y: ArrayLike<number>): BlockExtremes {
  const cached = cache.get(y);
  if (cached !== undefined) return cached;
  const block = EXTREMES_BLOCK;
  const blocks = Math.ceil(y.length / block);
  const argMin = new Int32Array(blocks);
  const argMax = new Int32Array(blocks);
  for (let b = 0; b < blocks; b++) {
    const [iMin, iMax] = scanExtremes(y, b * block, Math.min(y.length, (b + 1) * block));
    argMin[b] = iMin;
    argMax[b] = iMax;
  }
  const result = { block, argMin, argMax };
  cache.set(y, result);
  return result;
}

/** Indices of the first smallest and first largest value of `y` in `[lo, hi)` by a plain scan (-1: none, NaN only). */
export function scanExtremes(y: ArrayLike<number>, lo: number, hi: number): [number, number] {
  let iMin = -1;
  let iMax = -1;
  let vMin = NaN;
  let vMax = NaN;
  for (let i = lo; i < hi; i++) {
    const v = y[i];
    if (v !== v) continue; // NaN is no value
    if (iMin < 0) {
      iMin = iMax = i;
      vMin = vMax = v;
    } else if (v < vMin) {
      vMin = v;
      iMin = i;
    } else if (v > vMax) {
      vMax = v;
      iMax = i;
    }
  }
  return [iMin, iMax];
}

/**
 * Like {@link scanExtremes} over `[lo, hi)`, reading whole blocks from `blocks` and scanning only the partial blocks
 * at both ends. The same indices as a plain scan (the first smallest and the first largest).
 */
export function rangeExtremes(y: ArrayLike<number>, blocks: BlockExtremes, lo: number, hi: number): [number, number] {
  const size = blocks.block;
  const firstFull = Math.ceil(lo / size);
  const endFull = Math.floor(hi / size);
  if (endFull - firstFull < 2) return scanExtremes(y, lo, hi);
  let [iMin, iMax] = scanExtremes(y, lo, firstFull * size);
  const take = (cMin: number, cMax: number): void => {
    if (cMin >= 0 && (iMin < 0 || y[cMin] < y[iMin])) iMin = cMin;
    if (cMax >= 0 && (iMax < 0 || y[cMax] > y[iMax])) iMax = cMax;
  };
  for (let b = firstFull; b < endFull; b++) take(blocks.argMin[b], blocks.argMax[b]);
  const [tMin, tMax] = scanExtremes(y, endFull * size, hi);
  take(tMin, tMax);
  return [iMin, iMax];
}
