import type { RequestTiming } from "../ops/request-timing.ts";

/** What `RequestMetrics.take()` reports for the interval since the previous call. */
export interface RequestStats {
  readonly requestsPerSecond: number;
  /** Latency percentiles of proxied app requests over the last `windowMs`, null when there were none. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

/**
 * Counts the gateway's HTTP requests and keeps the latencies of the ones proxied to app workers (from arrival to
 * the response's last byte), for the admin overview. Bounded memory: at most `maxSamples` latencies are kept per window.
 */
export class RequestMetrics {
  private count = 0;
  private lastTake: number;
  private latencies: Array<{ at: number; ms: number }> = [];

  constructor(private readonly opts: {
    windowMs?: number;
    maxSamples?: number;
    now?: () => number;
  }) {
    this.lastTake = this.now();
  }

  /** One answered request (gateway/src/ops/request-timing.ts feeds every one). */
  readonly record = (t: Pick<RequestTiming, "proxied" | "ms">): void => {
    this.count++;
    if (!t.proxied) return;
    this.latencies.push({ at: this.now(), ms: t.ms });
    const max = this.opts.maxSamples ?? 10_000;
    if (this.latencies.length > max) this.latencies.splice(0, this.latencies.length - max);
  };

  /** Requests per second since the previous `take`, and the latency percentiles of the window. */
  take(): RequestStats {
    const now = this.now();
    const seconds = Math.max(0.001, (now - this.lastTake) / 1000);
    const rps = this.count / seconds;
    this.count = 0;
    this.lastTake = now;
    const since = now - (this.opts.windowMs ?? 10_000);
    this.latencies = this.latencies.filter((l) => l.at >= since);
    const sorted = this.latencies.map((l) => l.ms).sort((a, b) => a - b);
    return { requestsPerSecond: Math.round(rps * 100) / 100, p50Ms: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99) };
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }
}

/** The nearest-rank percentile of sorted values (null for none), rounded to 0.1 ms. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return Math.round(sorted[rank] * 10) / 10;
}
