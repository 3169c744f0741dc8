import { describe, expect, it } from "vitest";
import { columnEdge, lineIndices, minMaxIndices, type XWindow } from "../../../shared/downsample/index.ts";
import { randomInt, randomSeries, seededRandom } from "./seeded-random.ts";

/**
 * Brute force, point by point: the pixel column of every point (-1 outside the window), the largest c with
 * edge(c) ≤ x (a first guess from the scale, then corrected against the edges).
 */
function columnsOf(x: Float64Array, w: XWindow): Int32Array {
  const out = new Int32Array(x.length).fill(-1);
  x.forEach((v, i) => {
    if (!(v >= w.start && v <= w.end)) return;
    let c = Math.min(w.columns - 1, Math.max(0, Math.floor(((v - w.start) / (w.end - w.start)) * w.columns) || 0));
    while (c > 0 && !(columnEdge(w, c) <= v)) c--;
    while (c < w.columns - 1 && columnEdge(w, c + 1) <= v) c++;
    out[i] = c;
  });
  return out;
}

/** Brute force: per pixel column, the smallest and largest y (NaN ignored). */
function extremesPerColumn(x: Float64Array, y: Float64Array, w: XWindow): Map<number, { min: number; max: number }> {
  const cols = columnsOf(x, w);
  const out = new Map<number, { min: number; max: number }>();
  cols.forEach((c, i) => {
    if (c < 0 || Number.isNaN(y[i])) return;
    const e = out.get(c) ?? { min: Infinity, max: -Infinity };
    out.set(c, { min: Math.min(e.min, y[i]), max: Math.max(e.max, y[i]) });
  });
  return out;
}

function randomWindow(rand: () => number, x: Float64Array): XWindow {
  const lo = x[0] - 5;
  const hi = x[x.length - 1] + 5;
  const a = lo + rand() * (hi - lo);
  const b = lo + rand() * (hi - lo);
  return { start: Math.min(a, b), end: Math.max(a, b), columns: randomInt(rand, 1, 300) };
}

describe("min-max downsampling of a line", () => {
  it("keeps a point of each pixel column's smallest and largest y, against a brute-force reference (300 seeded cases)", () => {
    const rand = seededRandom(11);
    const problems: string[] = [];
    for (let k = 0; k < 300; k++) {
      const { x, y } = randomSeries(rand, randomInt(rand, 0, 5000), { nanRate: k % 3 === 0 ? 0.05 : 0 });
      if (x.length === 0) continue;
      const w = randomWindow(rand, x);
      const picked = minMaxIndices(x, y, w);
      const cols = columnsOf(x, w);
      const pickedByColumn = new Map<number, number[]>();
      for (const i of picked) pickedByColumn.set(cols[i], [...(pickedByColumn.get(cols[i]) ?? []), i]);
      for (const [c, { min, max }] of extremesPerColumn(x, y, w)) {
        const inColumn = pickedByColumn.get(c) ?? [];
        if (!inColumn.some((i) => y[i] === min)) problems.push(`case ${k}: min of column ${c} missing`);
        if (!inColumn.some((i) => y[i] === max)) problems.push(`case ${k}: max of column ${c} missing`);
        if (inColumn.length > 2) problems.push(`case ${k}: ${inColumn.length} points in column ${c}`);
      }
      if (picked.length > 2 * w.columns + 2) problems.push(`case ${k}: ${picked.length} points for ${w.columns} columns`);
      if (picked.some((i, j) => j > 0 && i <= picked[j - 1])) problems.push(`case ${k}: indices not increasing`);
    }
    expect(problems).toEqual([]);
  });

  it("adds the last point before and the first point after the window, so the line reaches the frame's edges", () => {
    const x = Float64Array.from({ length: 100 }, (_, i) => i);
    const y = x.map((v) => v % 10);
    const picked = [...minMaxIndices(x, y, { start: 20.5, end: 60.5, columns: 4 })];
    expect(picked[0]).toBe(20);
    expect(picked.at(-1)).toBe(61);
    expect(picked.slice(1, -1).every((i) => i >= 21 && i <= 60)).toBe(true);
    expect([...minMaxIndices(x, y, { start: -10, end: 200, columns: 4 })].some((i) => i < 0 || i >= 100)).toBe(false);
  });

  it("reads the same extremes through the block summaries as a plain scan on 1M points (zoomed out and in)", () => {
    const rand = seededRandom(5);
    const { x, y } = randomSeries(rand, 1_000_000);
    for (const w of [{ start: x[0], end: x[x.length - 1], columns: 800 }, { start: x[1000], end: x[60_000], columns: 512 }]) {
      const picked = minMaxIndices(x, y, w);
      const cols = columnsOf(x, w);
      const first = new Map<number, { min: number; max: number }>();
      cols.forEach((c, i) => {
        if (c < 0) return;
        const e = first.get(c);
        if (e === undefined) first.set(c, { min: i, max: i });
        else {
          if (y[i] < y[e.min]) e.min = i;
          if (y[i] > y[e.max]) e.max = i;
        }
      });
      const expected = [...first.values()].flatMap(({ min, max }) => (min === max ? [min] : [Math.min(min, max), Math.max(min, max)]));
      expect([...picked].filter((i) => cols[i] >= 0)).toEqual(expected);
    }
  });

  it("sends every visible point when there are at most two per pixel column, and at most 2·width+2 otherwise", () => {
    const x = Float64Array.from({ length: 10_000 }, (_, i) => i);
    const y = x.map((v) => Math.sin(v));
    expect([...lineIndices(x, y, { start: 100, end: 110, columns: 600 })]).toEqual(Array.from({ length: 13 }, (_, i) => 99 + i));
    for (const method of ["minmax", "lttb"] as const) {
      expect(lineIndices(x, y, { start: 0, end: 9999, columns: 300 }, method).length).toBeLessThanOrEqual(602);
    }
  });
});
