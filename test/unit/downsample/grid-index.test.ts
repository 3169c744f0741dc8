import { describe, expect, it } from "vitest";
import { binPoints, candidates, computeView, gridIndex, overlappingRuns } from "../../../shared/downsample/index.ts";
import { randomInt, seededRandom } from "./seeded-random.ts";

/** Clustered points with a few NaN and infinite coordinates. */
function cloud(seed: number, n: number): { x: Float64Array; y: Float64Array } {
  const rand = seededRandom(seed);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = Math.sqrt(-2 * Math.log(1 - rand())) * (1 + (i % 3));
    const a = 2 * Math.PI * rand();
    x[i] = (i % 3) * 5 + r * Math.cos(a);
    y[i] = r * Math.sin(a);
    if (rand() < 0.001) x[i] = rand() < 0.5 ? NaN : Infinity;
  }
  return { x, y };
}

describe("the grid index of a scatter", () => {
  it("lists every point with finite coordinates once, ascending within its cell, and is shared per pair of columns", () => {
    const { x, y } = cloud(1, 100_000);
    const index = gridIndex(x, y);
    expect(gridIndex(x, y)).toBe(index);
    const finite = [...x.keys()].filter((i) => Number.isFinite(x[i]) && Number.isFinite(y[i]));
    expect([...index.order].sort((a, b) => a - b)).toEqual(finite);
    for (let c = 0; c < index.gx * index.gy; c++) {
      for (let k = index.cellStart[c] + 1; k < index.cellStart[c + 1]; k++) expect(index.order[k]).toBeGreaterThan(index.order[k - 1]);
    }
  });

  it("gives zoomed-in views the same counts and points as a scan of every point (200 seeded viewports)", () => {
    const { x, y } = cloud(2, 200_000);
    const rand = seededRandom(3);
    const problems: string[] = [];
    let indexed = 0;
    for (let k = 0; k < 200; k++) {
      const [cx, cy] = [-8 + rand() * 26, -10 + rand() * 20];
      const [w, h] = [0.05 + rand() * (k % 2 === 0 ? 1 : 20), 0.05 + rand() * (k % 2 === 0 ? 1 : 20)];
      const viewport = { x0: cx - w, x1: cx + w, y0: cy - h, y1: cy + h, width: randomInt(rand, 50, 400), height: randomInt(rand, 50, 300) };
      if ("order" in candidates(x, y, viewport)) indexed++;
      const maxPoints = k % 3 === 0 ? 100_000 : 500;
      const view = computeView(x, y, viewport, { mode: "scatter", maxPoints, binSize: 1 });
      const all = binPoints(x, y, { ...viewport, nx: viewport.width, ny: viewport.height }, maxPoints);
      const same = view.kind === "image" ? all.indices === null && view.image.counts.every((c, b) => c === all.counts[b]) : all.indices !== null && JSON.stringify([...view.indices]) === JSON.stringify([...all.indices]);
      if (!same) problems.push(`viewport ${k} (${view.kind}) differs`);
    }
    expect(problems).toEqual([]);
    expect(indexed).toBeGreaterThan(50); // most small viewports went through the index
  });

  it("reads one run of the index per grid row the viewport overlaps", () => {
    const x = Float64Array.from({ length: 64 * 64 }, (_, i) => i % 64);
    const y = Float64Array.from({ length: 64 * 64 }, (_, i) => Math.floor(i / 64));
    const index = gridIndex(x, y);
    const { runs, points } = overlappingRuns(index, 10, 20, 30, 35);
    expect(runs.length / 2).toBeLessThanOrEqual(index.gy);
    expect(points).toBeLessThan(x.length / 4);
    const covered = new Set<number>();
    for (let r = 0; r < runs.length; r += 2) for (let k = runs[r]; k < runs[r + 1]; k++) covered.add(index.order[k]);
    for (let i = 0; i < x.length; i++) if (x[i] >= 10 && x[i] <= 20 && y[i] >= 30 && y[i] <= 35) expect(covered.has(i)).toBe(true);
  });
});
