import { describe, expect, it } from "vitest";
import { parseGatewayConfig } from "../../../shared/config/index.ts";

const parse = (args: string[], env: Record<string, string> = {}) => parseGatewayConfig(args, env, "/opt/plothost");

describe("deployed-apps flags", () => {
  it("defaults to 0..1 workers, a 10 minute idle stop, 1 s..60 s backoff, crashed after 5 crashes in 5 minutes, local jobs", () => {
    expect(parse([])).toMatchObject({
      appMinProcs: 0, appMaxProcs: 1, workerIdleTimeoutMs: 600_000, workerBackoffMs: 1000, workerBackoffMaxMs: 60_000,
      workerCrashLimit: 5, workerCrashWindowMs: 300_000, workerHealthIntervalMs: 10_000, jobQueue: "local", jobQueuePrefix: "plothost:jobs",
    });
  });

  it("keeps deploy jobs under the Redis prefix, so installations sharing a Redis never take each other's jobs", () => {
    expect(parse(["--redis-prefix", "teamA:"]).jobQueuePrefix).toBe("teamA:jobs");
    expect(parse([], { PLOTHOST_REDIS_PREFIX: "teamB:" }).jobQueuePrefix).toBe("teamB:jobs");
    expect(parse(["--redis-prefix", "teamA:", "--job-queue-prefix", "shared"]).jobQueuePrefix).toBe("shared");
  });

  it("runs jobs on Redis with --job-queue redis, or by default with --backend redis", () => {
    expect(parse(["--job-queue", "redis"]).jobQueue).toBe("redis");
    expect(parse(["--backend", "redis"]).jobQueue).toBe("redis");
    expect(parse(["--backend", "redis", "--job-queue", "local"]).jobQueue).toBe("local");
    expect(parse([], { PLOTHOST_JOB_QUEUE: "redis" }).jobQueue).toBe("redis");
    // Redis is configured: REDIS_URL alone is enough.
    expect(parse([], { REDIS_URL: "redis://127.0.0.1:6379" }).jobQueue).toBe("redis");
    expect(parse(["--job-queue", "local"], { REDIS_URL: "redis://127.0.0.1:6379" }).jobQueue).toBe("local");
  });

  it("keeps 10 versions per app and lets a replaced version drain its sessions for up to an hour", () => {
    expect(parse([])).toMatchObject({ appKeepVersions: 10, appDrainTimeoutMs: 3_600_000 });
    expect(parse(["--keep-versions", "3", "--drain-timeout", "0"])).toMatchObject({ appKeepVersions: 3, appDrainTimeoutMs: 0 });
    expect(() => parse(["--keep-versions", "0"])).toThrow(/--keep-versions/);
  });

  it("reports every bad value at once", () => {
    let message = "";
    try {
      parse(["--min-procs", "3", "--max-procs", "2", "--job-queue", "kafka", "--worker-restart-backoff", "0"]);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain("--min-procs (3) must not exceed --max-procs (2)");
    expect(message).toContain("--job-queue / PLOTHOST_JOB_QUEUE must be one of local, redis");
    expect(message).toContain("--worker-restart-backoff must be an integer");
  });
});
