import type { MetricsSample } from "../../../web-admin/view-types.ts";
import type { LiveConnections } from "./live-connections.ts";
import type { RequestMetrics } from "./request-metrics.ts";

/** What the collector reads of the apps: worker figures over every app (see `sumTotals`). */
export interface AppsTotals {
  /** Reads the workers' memory and CPU now. */
  sample(): void;
  /** Apps with a running worker. */
  readonly running: number;
  readonly memoryBytes: number;
  /** Worker crashes and admin restarts since the gateway started. */
  readonly restarts: number;
}

/** Several sources of apps (command-line apps, deployed apps) as one. */
export function sumTotals(parts: readonly AppsTotals[]): AppsTotals {
  const sum = (f: (p: AppsTotals) => number) => parts.reduce((n, p) => n + f(p), 0);
  return {
    sample: () => {
      for (const p of parts) p.sample();
    },
    get running() {
      return sum((p) => p.running);
    },
    get memoryBytes() {
      return sum((p) => p.memoryBytes);
    },
    get restarts() {
      return sum((p) => p.restarts);
    },
  };
}

/**
 * Samples the gateway once per `intervalMs`: live sessions, requests per second, proxy latency percentiles,
 * worker memory and restarts. Each sample goes to every `onSample` listener (the overview document streams it to
 * the admins' charts) and the last `keep` are kept for the API. The timer is unref'd: it never keeps the process
 * alive. Listeners that throw are reported to `onError` and stay subscribed.
 */
export class MetricsCollector {
  private readonly samples: MetricsSample[] = [];
  private readonly listeners = new Set<(s: MetricsSample) => void>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: {
    connections: LiveConnections;
    apps: AppsTotals;
    requests: RequestMetrics;
    intervalMs: number;
    keep: number;
    onError: (err: unknown) => void;
    now?: () => number;
  }) {}

  start(): void {
    if (this.timer) return;
    this.tick();
    this.timer = setInterval(() => this.tick(), this.deps.intervalMs);
    this.timer.unref();
  }

  /** Takes one sample now and hands it to the listeners. */
  tick(): MetricsSample {
    const { connections, apps, requests } = this.deps;
    connections.sample();
    apps.sample();
    const r = requests.take();
    const sample: MetricsSample = {
      at: this.deps.now?.() ?? Date.now(), sessions: connections.countSessions(), requestsPerSecond: r.requestsPerSecond,
      p50Ms: r.p50Ms, p99Ms: r.p99Ms, workerMemoryBytes: apps.memoryBytes, restarts: apps.restarts, appsRunning: apps.running,
    };
    this.samples.push(sample);
    if (this.samples.length > this.deps.keep) this.samples.splice(0, this.samples.length - this.deps.keep);
    for (const l of this.listeners) {
      try {
        l(sample);
      } catch (err) {
        this.deps.onError(err);
      }
    }
    return sample;
  }

  /** The latest sample (taking one if there is none yet). */
  latest(): MetricsSample {
    return this.samples.at(-1) ?? this.tick();
  }

  /** Kept samples, oldest first. */
  history(): readonly MetricsSample[] {
    return [...this.samples];
  }

  /** Subscribes to new samples; returns the function that unsubscribes. */
  onSample(listener: (s: MetricsSample) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.listeners.clear();
  }
}
