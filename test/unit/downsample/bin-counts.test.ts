import { describe, expect, it } from "vitest";
import { binPoints, compactCounts, computeView, type BinGrid } from "../../../shared/downsample/index.ts";
import { randomInt, seededRandom } from "./seeded-random.ts";

/** Brute force: for every bin, count the points inside its half-open rectangle (closed at the grid's far edges). */
function bruteCounts(x: Float64Array, y: Float64Array, g: BinGrid): number[] {
  const dx = (g.x1 - g.x0) / g.nx;
  const dy = (g.y1 - g.y0) / g.ny;
  const counts: number[] = [];
  for (let row = 0; row < g.ny; row++) {
    for (let col = 0; col < g.nx; col++) {
      const left = g.x0 + col * dx;
      const bottom = g.y0 + row * dy;
      let n = 0;
      for (let i = 0; i < x.length; i++) {
        const inX = x[i] >= left && (x[i] < left + dx || (col === g.nx - 1 && x[i] <= g.x1));
        const inY = y[i] >= bottom && (y[i] < bottom + dy || (row === g.ny - 1 && y[i] <= g.y1));
        if (inX && inY) n++;
      }
      counts.push(n);
    }
  }
  return counts;
}

/**
 * Random points on a 1/1024 grid (so bin edges, which are dyadic here, compare exactly), some on the bin edges and
 * the grid's far edges, some outside it or NaN.
 */
function randomCase(rand: () => number): { x: Float64Array; y: Float64Array; grid: BinGrid } {
  const nx = 2 ** randomInt(rand, 0, 5);
  const ny = 2 ** randomInt(rand, 0, 5);
  const x0 = randomInt(rand, -50, 50);
  const y0 = randomInt(rand, -50, 50);
  const grid = { x0, y0, x1: x0 + nx * 2 ** randomInt(rand, -2, 2), y1: y0 + ny * 2 ** randomInt(rand, -2, 2), nx, ny };
  const n = randomInt(rand, 0, 400);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const on = (lo: number, hi: number): number => {
    const r = rand();
    if (r < 0.1) return lo + Math.floor(rand() * 9) * ((hi - lo) / 8); // on an edge
    if (r < 0.12) return NaN;
    return Math.round((lo - 2 + rand() * (hi - lo + 4)) * 1024) / 1024; // inside or a bit outside
  };
  for (let i = 0; i < n; i++) {
    x[i] = on(grid.x0, grid.x1);
    y[i] = on(grid.y0, grid.y1);
  }
  return { x, y, grid };
}

describe("screen-space binning of a scatter", () => {
  it("counts per bin equal a brute-force count (300 seeded cases with edges, outside points and NaN)", () => {
    const rand = seededRandom(42);
    const problems: string[] = [];
    for (let k = 0; k < 300; k++) {
      const { x, y, grid } = randomCase(rand);
      const binned = binPoints(x, y, grid, 50);
      const expected = bruteCounts(x, y, grid);
      if (JSON.stringify([...binned.counts]) !== JSON.stringify(expected)) problems.push(`case ${k}: counts differ`);
      const visible = expected.reduce((a, b) => a + b, 0);
      if (binned.visible !== visible) problems.push(`case ${k}: visible ${binned.visible} vs ${visible}`);
      if (binned.maxCount !== Math.max(0, ...expected)) problems.push(`case ${k}: maxCount`);
      const inside = [...x.keys()].filter((i) => x[i] >= grid.x0 && x[i] <= grid.x1 && y[i] >= grid.y0 && y[i] <= grid.y1);
      const wantIndices = inside.length <= 50 ? inside : null;
      if (JSON.stringify(binned.indices === null ? null : [...binned.indices]) !== JSON.stringify(wantIndices)) problems.push(`case ${k}: indices`);
    }
    expect(problems).toEqual([]);
  });

  it("lays the counts out row-major from the bottom row, as Bokeh's image glyph reads them", () => {
    const binned = binPoints(Float64Array.of(0.5, 3.5, 3.5), Float64Array.of(0.5, 1.5, 1.9), { x0: 0, x1: 4, y0: 0, y1: 2, nx: 4, ny: 2 }, 0);
    expect([...binned.counts]).toEqual([1, 0, 0, 0, 0, 0, 0, 2]);
    expect(binned.indices).toBeNull();
  });

  it("gives a sorted-x scatter the same view from its visible slice as from a scan of every point", () => {
    const rand = seededRandom(8);
    const x = Float64Array.from({ length: 50_000 }, (_, i) => i / 10);
    const y = x.map(() => rand() * 10);
    const viewport = { x0: 1000.05, x1: 1500, y0: 2, y1: 8, width: 300, height: 200 };
    for (const maxPoints of [10, 100_000]) {
      const view = computeView(x, y, viewport, { mode: "scatter", maxPoints, binSize: 1 });
      const all = binPoints(x, y, { ...viewport, nx: 300, ny: 200 }, maxPoints);
      if (view.kind === "image") expect([...view.image.counts]).toEqual([...all.counts]);
      else expect([...view.indices]).toEqual([...all.indices!]);
      expect(view.kind).toBe(maxPoints === 10 ? "image" : "points");
    }
  });

  it("packs counts into the smallest unsigned type that holds the largest", () => {
    const counts = Uint32Array.of(0, 3, 255);
    expect(compactCounts(counts, 255)).toEqual(Uint8Array.of(0, 3, 255));
    expect(compactCounts(Uint32Array.of(256), 256)).toEqual(Uint16Array.of(256));
    expect(compactCounts(Uint32Array.of(70_000), 70_000)).toBeInstanceOf(Uint32Array);
  });
});
