import { Router } from "express";
import { runChecks, type ReadinessCheck } from "./readiness.ts";

/**
 * `/healthz` (liveness: the process answers HTTP) and `/readyz` (readiness: every dependency answers; 503 with
 * the failing checks otherwise, and 503 once shutdown began so a load balancer stops sending new sessions).
 * Both are anonymous, as orchestrators probe them without credentials, and say nothing secret.
 */
export function healthRoutes(opts: { checks: readonly ReadinessCheck[]; timeoutMs: number; draining: () => boolean }): Router {
  const r = Router();
  const noStore = { "cache-control": "no-store" };
  r.get("/healthz", (_req, res) => void res.set(noStore).json({ status: "ok" }));
  r.get("/readyz", async (_req, res) => {
    if (opts.draining()) return void res.status(503).set(noStore).json({ status: "draining", checks: [] });
    const checks = await runChecks(opts.checks, opts.timeoutMs);
    const ready = checks.every((c) => c.ok);
    res.status(ready ? 200 : 503).set(noStore).json({ status: ready ? "ready" : "not_ready", checks });
  });
  return r;
}
