import { describe, expect, it } from "vitest";
import { lttbIndices } from "../../../shared/downsample/index.ts";
import { randomInt, randomSeries, seededRandom } from "./seeded-random.ts";

type Point = [x: number, y: number, index: number];

/** Steinarsson's published JavaScript LTTB (github.com/sveinn-steinarsson/flot-downsample), on [x, y] points. */
function referenceLttb(data: Point[], threshold: number): Point[] {
  const dataLength = data.length;
  if (threshold >= dataLength || threshold === 0) return data;
  const sampled: Point[] = [];
  const every = (dataLength - 2) / (threshold - 2);
  let a = 0;
  let maxAreaPoint: Point = data[0];
  let nextA = 0;
  sampled.push(data[a]);
  for (let i = 0; i < threshold - 2; i++) {
    let avgX = 0;
    let avgY = 0;
    let avgRangeStart = Math.floor((i + 1) * every) + 1;
    let avgRangeEnd = Math.floor((i + 2) * every) + 1;
    avgRangeEnd = avgRangeEnd < dataLength ? avgRangeEnd : dataLength;
    const avgRangeLength = avgRangeEnd - avgRangeStart;
    for (; avgRangeStart < avgRangeEnd; avgRangeStart++) {
      avgX += data[avgRangeStart][0];
      avgY += data[avgRangeStart][1];
    }
    avgX /= avgRangeLength;
    avgY /= avgRangeLength;
    let rangeOffs = Math.floor(i * every) + 1;
    const rangeTo = Math.floor((i + 1) * every) + 1;
    const pointAX = data[a][0];
    const pointAY = data[a][1];
    let maxArea = -1;
    for (; rangeOffs < rangeTo; rangeOffs++) {
      const area = Math.abs((pointAX - avgX) * (data[rangeOffs][1] - pointAY) - (pointAX - data[rangeOffs][0]) * (avgY - pointAY)) * 0.5;
      if (area > maxArea) {
        maxArea = area;
        maxAreaPoint = data[rangeOffs];
        nextA = rangeOffs;
      }
    }
    sampled.push(maxAreaPoint);
    a = nextA;
  }
  sampled.push(data[dataLength - 1]);
  return sampled;
}

describe("LTTB downsampling of a line", () => {
  it("picks the same points as the published reference implementation (200 seeded cases, sub-ranges included)", () => {
    const rand = seededRandom(7);
    const problems: string[] = [];
    for (let k = 0; k < 200; k++) {
      const { x, y } = randomSeries(rand, randomInt(rand, 3, 4000));
      const from = randomInt(rand, 0, x.length - 3);
      const to = randomInt(rand, from + 3, x.length);
      const threshold = randomInt(rand, 3, 400);
      const points: Point[] = [];
      for (let i = from; i < to; i++) points.push([x[i], y[i], i]);
      const expected = referenceLttb(points, threshold).map((p) => p[2]);
      const got = [...lttbIndices(x, y, from, to, threshold)];
      if (JSON.stringify(got) !== JSON.stringify(expected)) problems.push(`case ${k}: ${got.length} vs ${expected.length} points differ`);
    }
    expect(problems).toEqual([]);
  });

  it("keeps the first and the last point, one point per bucket in increasing order, exactly `threshold` of them", () => {
    const { x, y } = randomSeries(seededRandom(3), 100_000);
    const picked = lttbIndices(x, y, 10, 90_000, 1000);
    expect(picked.length).toBe(1000);
    expect(picked[0]).toBe(10);
    expect(picked[999]).toBe(89_999);
    for (let j = 1; j < picked.length; j++) expect(picked[j]).toBeGreaterThan(picked[j - 1]);
  });

  it("returns every point when there are no more than the threshold, and the ends for tiny thresholds", () => {
    const x = Float64Array.of(0, 1, 2, 3, 4);
    const y = Float64Array.of(0, 5, 0, 5, 0);
    expect([...lttbIndices(x, y, 1, 4, 10)]).toEqual([1, 2, 3]);
    expect([...lttbIndices(x, y, 0, 5, 2)]).toEqual([0, 4]);
    expect([...lttbIndices(x, y, 2, 2, 10)]).toEqual([]);
  });
});
