/**
 * Binary searches over a column sorted ascending (time series x). Both return an index in `[lo, hi]`; NaN is never
 * found (a column with NaN is not sorted, see `isSortedAscending`).
 */

/** The first index `i` in `[lo, hi)` with `x[i] >= value`, or `hi` when there is none. */
export function lowerBound(x: ArrayLike<number>, value: number, lo = 0, hi = x.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index `i` in `[lo, hi)` with `x[i] > value`, or `hi` when there is none. */
export function upperBound(x: ArrayLike<number>, value: number, lo = 0, hi = x.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
