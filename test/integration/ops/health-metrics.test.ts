import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { projectRoot, startGateway } from "../../helpers/start-gateway.ts";
import { closedPort, PASSWORD, removeTempHomes, sessionFor, startMultiUser, tempHome, username } from "../client/client-helpers.ts";

type Started = Awaited<ReturnType<typeof startGateway>>;
const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((g) => g.close()));
});
afterAll(() => removeTempHomes());

/** One sample's value from Prometheus text (`name{labels} value`), summed over matching label sets. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | null {
  let total: number | null = null;
  for (const line of text.split("\n")) {
    const m = /^([a-z_:]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const set = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => set[k] === v)) total = (total ?? 0) + Number(m[3]);
  }
  return total;
}

describe("/healthz, /readyz and /metrics", () => {
  it("a healthy gateway is live and ready, and its metrics count requests, proxy latency, sessions and workers", async () => {
    const gw: Started = await startGateway();
    open.push(gw);
    expect(await (await fetch(`${gw.url}/healthz`)).json()).toEqual({ status: "ok" });
    await gw.supervisors.get("demo")!.ready();
    const ready = await fetch(`${gw.url}/readyz`);
    expect(ready.status).toBe(200);
    const body = await ready.json() as { status: string; checks: Array<{ name: string; ok: boolean }> };
    expect(body.status).toBe("ready");
    expect(body.checks.map((c) => [c.name, c.ok])).toEqual([["database", true], ["workers", true]]);

    expect((await fetch(`${gw.url}/demo`)).status).toBe(200);
    const res = await fetch(`${gw.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(sample(text, "plothost_http_requests_total", { kind: "proxy", method: "GET", status: "2xx" })).toBe(1);
    expect(sample(text, "plothost_http_requests_total", { kind: "gateway" })).toBeGreaterThanOrEqual(2);
    expect(sample(text, "plothost_proxy_request_duration_seconds_count")).toBe(1);
    expect(sample(text, "plothost_workers")).toBe(1);
    expect(sample(text, "plothost_sessions")).toBe(0);
    expect(sample(text, "plothost_worker_restarts_total")).toBe(0);
    expect(sample(text, "plothost_job_queue_depth")).toBe(0);
    expect(sample(text, "plothost_gateway_process_resident_memory_bytes")).toBeGreaterThan(0);
  });

  it("/metrics needs an admin token in multi-user mode; the probes stay anonymous", async () => {
    const gw = await startMultiUser();
    open.push(gw);
    const home = tempHome();
    const admin = sessionFor(gw, home.home);
    await admin.register(username("admin"), PASSWORD); // the first account is an admin
    const other = sessionFor(gw, tempHome().home);
    await other.register(username("ana"), PASSWORD);
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);
    const anonymous = await fetch(`${gw.url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).error.code).toBeTypeOf("string");
    expect((await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${other.token}` } })).status).toBe(403);
    const scraped = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(scraped.status).toBe(200);
    expect(sample(await scraped.text(), "plothost_http_requests_total", { kind: "gateway", status: "4xx" })).toBe(2);
    await Promise.all([admin.close(), other.close()]);
  });

  it("a crashed app makes the gateway not ready, naming the app", async () => {
    const crashy = path.join(projectRoot, "test", "fixtures", "apps", "crashy.ts");
    const gw = await startGateway([crashy, "--worker-crash-limit", "1", "--worker-restart-backoff", "1"]);
    open.push(gw);
    const sup = gw.supervisors.get("crashy")!;
    const crashed = new Promise<void>((resolve) => sup.on("state", (s: string) => s === "crashed" && resolve()));
    await sup.ready().catch(() => {});
    await crashed;
    const res = await fetch(`${gw.url}/readyz`);
    expect(res.status).toBe(503);
    const body = await res.json() as { status: string; checks: Array<{ name: string; ok: boolean; error?: string }> };
    expect(body.status).toBe("not_ready");
    expect(body.checks.find((c) => c.name === "workers")).toMatchObject({ ok: false, error: "crashed: crashy" });
    expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  });

  it("with the Redis backend, /readyz checks Redis and reports it down once it stops", async () => {
    const port = await closedPort();
    const redis: ChildProcess = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "inherit"] });
    const exited = new Promise((resolve) => redis.once("exit", resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        let out = "";
        redis.stdout!.on("data", (d: Buffer) => {
          out += d.toString();
          if (out.includes("Ready to accept connections")) resolve();
        });
        redis.once("exit", (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
      });
      const gw = await startGateway(["--backend", "redis", "--redis-url", `redis://127.0.0.1:${port}`], {});
      open.push(gw);
      const up = await fetch(`${gw.url}/readyz`);
      expect(up.status).toBe(200);
      expect((await up.json() as { checks: Array<{ name: string }> }).checks.map((c) => c.name)).toContain("redis");
      redis.kill("SIGKILL");
      await exited;
      const down = await fetch(`${gw.url}/readyz`);
      expect(down.status).toBe(503);
      const body = await down.json() as { checks: Array<{ name: string; ok: boolean }> };
      expect(body.checks.find((c) => c.name === "redis")?.ok).toBe(false);
    } finally {
      redis.kill("SIGKILL");
    }
  });
});
