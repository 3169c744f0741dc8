import { describe, expect, it } from "vitest";
import { columnExtent, isSortedAscending, lowerBound, upperBound } from "../../../shared/downsample/index.ts";
import { blockExtremes, rangeExtremes, scanExtremes } from "../../../shared/downsample/block-extremes.ts";
import { randomInt, randomSeries, seededRandom } from "./seeded-random.ts";

describe("sorted-column helpers", () => {
  it("lowerBound/upperBound find the first index >= / > a value, like a linear scan", () => {
    const rand = seededRandom(1);
    const { x } = randomSeries(rand, 500);
    for (let k = 0; k < 500; k++) {
      const v = k % 5 === 0 ? x[randomInt(rand, 0, 499)] : x[0] - 10 + rand() * (x[499] - x[0] + 20);
      expect(lowerBound(x, v)).toBe(x.findIndex((e) => e >= v) === -1 ? 500 : x.findIndex((e) => e >= v));
      expect(upperBound(x, v)).toBe(x.findIndex((e) => e > v) === -1 ? 500 : x.findIndex((e) => e > v));
    }
  });

  it("computes a column's finite extent and sortedness once per array and shares the result", () => {
    const x = Float64Array.of(3, NaN, -Infinity, 7, 1);
    expect(columnExtent(x)).toEqual({ min: 1, max: 7 });
    x[0] = 100; // columns are immutable by contract: the cached extent stays
    expect(columnExtent(x)).toEqual({ min: 1, max: 7 });
    expect(columnExtent([NaN])).toEqual({ min: NaN, max: NaN });
    expect(isSortedAscending(Float64Array.of(1, 1, 2))).toBe(true);
    expect(isSortedAscending(Float64Array.of(1, 3, 2))).toBe(false);
    expect(isSortedAscending(Float64Array.of(1, NaN, 2))).toBe(false);
    expect(isSortedAscending([])).toBe(true);
  });

  it("block summaries give the same first extremes as a plain scan over random ranges (NaN included)", () => {
    const rand = seededRandom(9);
    const { y } = randomSeries(rand, 20_000, { nanRate: 0.01 });
    y.fill(NaN, 3000, 3600); // whole blocks of NaN
    const blocks = blockExtremes(y);
    expect(blockExtremes(y)).toBe(blocks);
    for (let k = 0; k < 300; k++) {
      const lo = randomInt(rand, 0, 20_000);
      const hi = randomInt(rand, lo, 20_000);
      expect(rangeExtremes(y, blocks, lo, hi)).toEqual(scanExtremes(y, lo, hi));
    }
    expect(scanExtremes(y, 3000, 3600)).toEqual([-1, -1]);
  });
});
