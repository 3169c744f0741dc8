import type { Router } from "express";
import { Redis } from "ioredis";
import type { GatewayConfig } from "../../../shared/config/index.ts";
import type { Db } from "../db/prisma-client.ts";
import { healthRoutes } from "./health-routes.ts";
import { createPrometheusMetrics, type MetricSources, type PrometheusMetrics } from "./prometheus-metrics.ts";
import { runChecks, type ReadinessCheck } from "./readiness.ts";

/** What operators and orchestrators look at: `/healthz`, `/readyz`, `/metrics`. */
export interface Ops {
  readonly health: Router;
  readonly metrics: PrometheusMetrics;
  /** From now on `/readyz` answers 503 (shutdown began: send new sessions elsewhere). */
  drain(): void;
  /** What `/readyz` would answer, without HTTP: true when not draining and every dependency answers. */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

/** How long one readiness check may take before it counts as failed. */
const CHECK_TIMEOUT_MS = 2000;

export function createOps(deps: {
  config: GatewayConfig;
  db: Db;
  /** Command-line apps: a crashed one makes the gateway not ready. */
  appStates: () => ReadonlyArray<{ name: string; state: string }>;
  sources: MetricSources;
}): Ops {
  const { config } = deps;
  let draining = false;
  const usesRedis = config.backend === "redis" || config.jobQueue === "redis";
  // One lazily connected client for pings; it never retries a command, so a dead Redis fails the check at once.
  const redis = usesRedis ? new Redis(config.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false }) : null;
  redis?.on("error", () => {}); // the readiness check reports it
  const checks: ReadinessCheck[] = [
    { name: "database", run: async () => void (await deps.db.$queryRawUnsafe("SELECT 1")) },
    {
      name: "workers",
      run: async () => {
        const crashed = deps.appStates().filter((a) => a.state === "crashed").map((a) => a.name);
        if (crashed.length > 0) throw new Error(`crashed: ${crashed.join(", ")}`);
      },
    },
  ];
  if (redis) {
    checks.push({
      name: "redis",
      run: async () => {
        if (redis.status === "wait" || redis.status === "end") await redis.connect().catch(() => {});
        await redis.ping();
      },
    });
  }
  return {
    health: healthRoutes({ checks, timeoutMs: CHECK_TIMEOUT_MS, draining: () => draining }),
    metrics: createPrometheusMetrics(deps.sources),
    drain: () => void (draining = true),
    ready: async () => !draining && (await runChecks(checks, CHECK_TIMEOUT_MS)).every((c) => c.ok),
    close: async () => {
      redis?.disconnect();
    },
  };
}
