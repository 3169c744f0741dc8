/**
 * Largest-Triangle-Three-Buckets (Steinarsson, 2013) over the points `[from, to)` of a line: keeps the first and
 * the last point and, from each of `threshold - 2` buckets of equal point count between them, the point making the
 * largest triangle with the previously kept point and the average of the next bucket. Returns `min(threshold,
 * to - from)` strictly increasing indices (all of them when there are no more than `threshold`). Unlike min-max it
 * does not keep every pixel column's extremes: it keeps the shape with fewer points. Cost: O(to - from).
 */
export function lttbIndices(x: ArrayLike<number>, y: ArrayLike<number>, from: number, to: number, threshold: number): Int32Array {
  const n = to - from;
  if (n <= 0) return new Int32Array(0);
  if (n <= threshold) return Int32Array.from({ length: n }, (_, i) => from + i);
  if (threshold < 3) return threshold <= 1 ? Int32Array.of(from) : Int32Array.of(from, to - 1);
  const out = new Int32Array(threshold);
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  out[0] = from;
  for (let i = 0; i < threshold - 2; i++) {
    const avgStart = Math.floor((i + 1) * every) + 1;
    const avgEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    for (let j = avgStart; j < avgEnd; j++) {
      avgX += x[from + j];
      avgY += y[from + j];
    }
    avgX /= avgEnd - avgStart;
    avgY /= avgEnd - avgStart;
    const rangeStart = Math.floor(i * every) + 1;
    const rangeEnd = Math.floor((i + 1) * every) + 1;
    const ax = x[from + a];
    const ay = y[from + a];
    let maxArea = -1;
    let next = rangeStart;
    for (let j = rangeStart; j < rangeEnd; j++) {
      const area = Math.abs((ax - avgX) * (y[from + j] - ay) - (ax - x[from + j]) * (avgY - ay)) * 0.5;
      if (area > maxArea) {
        maxArea = area;
        next = j;
      }
    }
    out[i + 1] = from + next;
    a = next;
  }
  out[threshold - 1] = to - 1;
  return out;
}
