/** A seeded PRNG (mulberry32) for property tests: the same seed gives the same cases on every run and machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [lo, hi] from `rand`. */
export function randomInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

/**
 * A random sorted x (with runs of equal values) and a random-walk y (with occasional NaN, spikes and flat runs),
 * the shapes that break naive downsamplers.
 */
export function randomSeries(rand: () => number, n: number, opts: { nanRate?: number } = {}): { x: Float64Array; y: Float64Array } {
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  let xv = rand() * 100 - 50;
  let yv = 0;
  for (let i = 0; i < n; i++) {
    if (rand() > 0.1) xv += rand() * 2;
    const r = rand();
    yv = r < 0.02 ? yv + (rand() - 0.5) * 100 : r < 0.1 ? yv : yv + rand() - 0.5;
    x[i] = xv;
    y[i] = rand() < (opts.nanRate ?? 0) ? NaN : yv;
  }
  return { x, y };
}
