import type { AddressInfo } from "node:net";
import express from "express";
import { describe, expect, it } from "vitest";
import { healthRoutes } from "../../gateway/src/ops/health-routes.ts";
import { runChecks } from "../../gateway/src/ops/readiness.ts";

async function serve(router: express.Router): Promise<{ url: string; close(): Promise<void> }> {
  const server = express().use(router).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe("readiness", () => {
  it("bounds each check: one that never answers fails with a timeout, the others are reported as they are", async () => {
    const results = await runChecks([
      { name: "fast", run: async () => {} },
      { name: "stuck", run: () => new Promise(() => {}) },
      { name: "broken", run: async () => { throw new Error("connection refused"); } },
    ], 50);
    expect(results.map(({ name, ok, error }) => ({ name, ok, error }))).toEqual([
      { name: "fast", ok: true, error: undefined },
      { name: "stuck", ok: false, error: "no answer within 50 ms" },
      { name: "broken", ok: false, error: "connection refused" },
    ]);
  });

  it("/readyz answers 503 once the gateway is draining, whatever the checks say; /healthz stays 200", async () => {
    let draining = false;
    const s = await serve(healthRoutes({ checks: [{ name: "db", run: async () => {} }], timeoutMs: 100, draining: () => draining }));
    try {
      expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
      draining = true;
      const res = await fetch(`${s.url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: "draining", checks: [] });
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});
