// The admin's defaults (--worker-memory-limit, --worker-pids-limit, --worker-cpu-percent, --worker-uid-range),
// an app's own limits over them reaching its worker's cgroup and V8 heap, and who may read the sandbox report.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, parseGatewayConfig } from "../../../shared/config/index.ts";
import { TestClient } from "../auth/auth-helpers.ts";
import { cgroupDirOf, limitsIn, readOr } from "../sandbox/cgroup-files.ts";
import { HOSTILE, projectRoot, startLoggedGateway, type LoggedGateway } from "./isolation-harness.ts";

const parse = (argv: string[], env: Record<string, string> = {}) => parseGatewayConfig(argv, env, projectRoot);

describe("worker limit flags", () => {
  it("default to 1 GiB, 256 tasks, one core and uids 200000-299999", () => {
    const c = parse([]);
    expect(c.workerLimits).toEqual({ memoryMiB: 1024, pids: 256, cpuPercent: 100 });
    expect(c.workerUidRange).toEqual({ first: 200_000, count: 100_000 });
  });

  it("are read from flags, or from the environment", () => {
    const c = parse(["--worker-memory-limit", "300", "--worker-pids-limit", "80", "--worker-cpu-percent", "250", "--worker-uid-range", "500000-500099"]);
    expect(c.workerLimits).toEqual({ memoryMiB: 300, pids: 80, cpuPercent: 250 });
    expect(c.workerUidRange).toEqual({ first: 500_000, count: 100 });
    const e = parse([], { PLOTHOST_WORKER_MEMORY_LIMIT: "128", PLOTHOST_WORKER_PIDS_LIMIT: "64", PLOTHOST_WORKER_CPU_PERCENT: "5", PLOTHOST_WORKER_UID_RANGE: "1000-1000" });
    expect(e.workerLimits).toEqual({ memoryMiB: 128, pids: 64, cpuPercent: 5 });
    expect(e.workerUidRange).toEqual({ first: 1000, count: 1 });
  });

  it("refuse values that would break workers or hand out system uids, all problems at once", () => {
    const err = (() => {
      try {
        parse(["--worker-memory-limit", "16", "--worker-pids-limit", "10", "--worker-cpu-percent", "0", "--worker-uid-range", "0-99"]);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join("\n");
    expect(problems).toMatch(/--worker-memory-limit .* between 64 and/);
    expect(problems).toMatch(/--worker-pids-limit .* between 64 and/);
    expect(problems).toMatch(/--worker-cpu-percent .* between 1 and/);
    expect(problems).toMatch(/--worker-uid-range .* 1000 <= FIRST <= LAST/);
  });
});

describe("watchdog flags", () => {
  it("default to a sample a second and a 10 s CPU window; are read from flags or the environment", () => {
    expect(parse([]).workerWatchdog).toEqual({ intervalMs: 1000, cpuWindowMs: 10_000 });
    expect(parse(["--worker-watchdog-interval", "250", "--worker-cpu-window", "5000"]).workerWatchdog).toEqual({ intervalMs: 250, cpuWindowMs: 5000 });
    expect(parse([], { PLOTHOST_WORKER_WATCHDOG_INTERVAL: "100", PLOTHOST_WORKER_CPU_WINDOW: "2000" }).workerWatchdog).toEqual({ intervalMs: 100, cpuWindowMs: 2000 });
  });

  it("refuse an interval below 50 ms and a window shorter than the interval", () => {
    expect(() => parse(["--worker-watchdog-interval", "10"])).toThrow(/--worker-watchdog-interval .* between 50 and/);
    expect(() => parse(["--worker-watchdog-interval", "5000", "--worker-cpu-window", "1000"])).toThrow(/--worker-cpu-window must be at least --worker-watchdog-interval/);
  });
});

describe("an app's own limits", () => {
  let gw: LoggedGateway;
  beforeAll(async () => {
    gw = await startLoggedGateway(
      ["--worker-pids-limit", "100", path.join(HOSTILE, "neighbour.ts")],
      (c) => ({ ...c, apps: c.apps.map((a) => ({ ...a, limits: { memoryMiB: 160, cpuPercent: 25 } })) }),
    );
    await gw.gateway.supervisors.get("neighbour")!.ready();
  }, 60_000);
  afterAll(async () => {
    await gw?.close();
  });

  it("override the defaults in the worker's cgroup, and size its V8 heap", () => {
    const pid = gw.gateway.supervisors.get("neighbour")!.pid!;
    expect(limitsIn(pid)).toMatchObject({ memoryMiB: 160, pids: 100, cpuPercent: 25 });
    const procs = readOr(path.join(cgroupDirOf(pid, "memory")!, "cgroup.procs"), "").split("\n");
    const worker = procs.map((p) => readOr(`/proc/${p}/cmdline`, "").split("\0")).find((argv) => argv.some((a) => a.endsWith("worker/src/main.ts") || a.endsWith("node_modules/plothost/worker.js")));
    expect(worker).toContain("--max-old-space-size=120");
  });
});

describe("GET /api/v1/admin/sandbox", () => {
  let gw: LoggedGateway;
  beforeAll(async () => {
    gw = await startLoggedGateway(["-m", "--bcrypt-cost", "4", path.join(HOSTILE, "neighbour.ts")]);
  }, 60_000);
  afterAll(async () => {
    await gw?.close();
  });

  it("is for admins only: 401 anonymous, 403 for a user, the report for an admin", async () => {
    const anon = new TestClient(gw.url);
    const register = async (username: string) => {
      // A fresh client each time: a session cookie would make the next POST need the CSRF token.
      const res = await new TestClient(gw.url).post("/api/v1/register", { username, password: "a good password" });
      expect(res.status).toBe(201);
      return new TestClient(gw.url, { bearer: res.body.token as string });
    };
    const admin = await register("ada"); // the first account is an admin
    const user = await register("bob");
    expect((await anon.get("/api/v1/admin/sandbox")).status).toBe(401);
    const refused = await user.get("/api/v1/admin/sandbox");
    expect([refused.status, refused.body.error.code]).toEqual([403, "admin_required"]);
    const report = await admin.get("/api/v1/admin/sandbox");
    expect(report.status).toBe(200);
    expect(Object.keys(report.body).sort()).toEqual(["kind", "layers", "warnings"]);
    expect(report.body.kind).toBe(gw.gateway.sandbox.kind);
  });
});
