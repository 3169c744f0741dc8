import type { Request, Response } from "express";
import type { RequestSink } from "./request-timing.ts";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** What the gateway reports; each is read when Prometheus scrapes. */
export interface MetricSources {
  /** Live user sessions (app and document WebSockets). */
  sessions(): number;
  /** Workers running now (command-line apps and deployed apps), their memory, and restarts since start. */
  workers(): { running: number; memoryBytes: number; restarts: number };
  /** Jobs waiting or running in the deploy queue. */
  jobQueueDepth(): Promise<number>;
  /** `--runners`: the live runners (worker hosts) this gateway sees; absent without runners. */
  runners?(): number;
}

export interface PrometheusMetrics {
  /** Counts every answered request, and puts a proxied one's time in the proxy histogram; fed by `timeRequests`. */
  readonly record: RequestSink;
  /** `GET /metrics` in the Prometheus text format. */
  readonly handler: (req: Request, res: Response) => Promise<void>;
  readonly registry: Registry;
}

/** Status classes, not codes: bounded label values whatever clients send. */
const statusClass = (status: number) => `${Math.floor(status / 100)}xx`;
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * The gateway's Prometheus metrics (prom-client), in a registry of its own so that several gateways in one
 * process (tests, embedding) do not share counters. Names follow Prometheus conventions (`_total`, `_seconds`,
 * `_bytes`); labels are bounded (method, status class, kind).
 */
export function createPrometheusMetrics(sources: MetricSources): PrometheusMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "plothost_gateway_" });
  const requests = new Counter({
    name: "plothost_http_requests_total", help: "HTTP requests answered, by method, status class and kind (gateway or proxy).",
    labelNames: ["method", "status", "kind"] as const, registers: [registry],
  });
  const proxyLatency = new Histogram({
    name: "plothost_proxy_request_duration_seconds", help: "Time to answer requests proxied to app workers.",
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry],
  });
  new Gauge({
    name: "plothost_sessions", help: "Live sessions (app and published-document WebSockets).", registers: [registry],
    collect() { this.set(sources.sessions()); },
  });
  new Gauge({
    name: "plothost_workers", help: "App worker processes running.", registers: [registry],
    collect() { this.set(sources.workers().running); },
  });
  new Gauge({
    name: "plothost_worker_memory_bytes", help: "Resident memory of all app workers.", registers: [registry],
    collect() { this.set(sources.workers().memoryBytes); },
  });
  new Counter({
    name: "plothost_worker_restarts_total", help: "Worker crashes and admin restarts since the gateway started.", registers: [registry],
    collect() {
      this.reset();
      this.inc(sources.workers().restarts);
    },
  });
  new Gauge({
    name: "plothost_job_queue_depth", help: "Deploy, stop and cleanup jobs waiting or running.", registers: [registry],
    async collect() { this.set(await sources.jobQueueDepth()); },
  });

  if (sources.runners) {
    const live = sources.runners;
    new Gauge({
      name: "plothost_runners", help: "Live runners (worker hosts) registered in Redis.", registers: [registry],
      collect() { this.set(live()); },
    });
  }

  return {
    registry,
    record: (t) => {
      if (t.proxied) proxyLatency.observe(t.ms / 1000);
      requests.inc({ method: METHODS.has(t.method) ? t.method : "OTHER", status: statusClass(t.status), kind: t.proxied ? "proxy" : "gateway" });
    },
    handler: async (_req, res) => {
      res.set("content-type", registry.contentType).set("cache-control", "no-store").send(await registry.metrics());
    },
  };
}
