/** The smallest and largest finite value of a column; both NaN when it has none. */
export interface ColumnExtent {
  readonly min: number;
  readonly max: number;
}

const extents = new WeakMap<object, ColumnExtent>();
const sortedness = new WeakMap<object, boolean>();

/**
 * The finite extent of `column`, computed once per column object and cached (weakly) for every later caller:
 * sessions built from the same module-level arrays share the result. Columns are treated as immutable; assign a
 * new array to change the data.
 */
export function columnExtent(column: ArrayLike<number>): ColumnExtent {
  const cached = extents.get(column);
  if (cached !== undefined) return cached;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < column.length; i++) {
    const v = column[i];
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const extent = min <= max ? { min, max } : { min: NaN, max: NaN };
  extents.set(column, extent);
  return extent;
}

/** True when `column` is sorted ascending (equal neighbours allowed, NaN not); cached like {@link columnExtent}. */
export function isSortedAscending(column: ArrayLike<number>): boolean {
  const cached = sortedness.get(column);
  if (cached !== undefined) return cached;
  let sorted = column.length === 0 || !Number.isNaN(column[0]);
  for (let i = 1; sorted && i < column.length; i++) {
    if (!(column[i - 1] <= column[i])) sorted = false;
  }
  sortedness.set(column, sorted);
  return sorted;
}
