/**
 * The gateway's view of the runners (RunnerDirectory) against a real Redis: registrations as runners write them,
 * placement on the least-loaded runner (a burst of placements spreads out before any runner reports it), a runner
 * whose registration expires is lost for its placed workers, and events reach the worker they name.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../../shared/logging/create-logger.ts";
import { RunnerDirectory, type RunnerListener } from "../../../gateway/src/runner/runner-directory.ts";
import { runnerEventsChannel, runnerKey, runnersSetKey, type RunnerEvent, type RunnerInfo } from "../../../gateway/src/runner/runner-protocol.ts";
import { REDIS_URL, deleteKeys, redisTestPrefix } from "../../fixtures/storage/redis.ts";

const prefix = redisTestPrefix();
const HEARTBEAT_MS = 100;

describe("RunnerDirectory", () => {
  const redis = new Redis(REDIS_URL);
  let directory: RunnerDirectory;
  const register = async (id: string, workerIds: string[], ttlMs = 60_000) => {
    const info: RunnerInfo = { id, address: `127.0.0.1:${id === "a" ? 7001 : 7002}`, hostname: "h", pid: 1, workers: workerIds.length, workerIds, startedAt: "" };
    await redis.multi().set(runnerKey(prefix, id), JSON.stringify(info), "PX", ttlMs).sadd(runnersSetKey(prefix), id).exec();
  };

  beforeAll(async () => {
    await register("a", []);
    await register("b", []);
    directory = new RunnerDirectory({ redisUrl: REDIS_URL, prefix, jobQueuePrefix: `${prefix}jobs`, heartbeatMs: HEARTBEAT_MS, logger: createLogger({ level: "silent" }) });
    await directory.start();
  });
  afterAll(async () => {
    await directory.close();
    redis.disconnect();
    await deleteKeys([prefix]);
  });

  it("spreads a burst of placements over the runners before they report them, then counts what they report", async () => {
    const picks = [];
    for (const w of ["w1", "w2", "w3", "w4"]) picks.push((await directory.pick(w, 1000))!.id);
    expect(picks.filter((p) => p === "a")).toHaveLength(2);
    expect(picks.filter((p) => p === "b")).toHaveLength(2);
    // Runner a now runs three workers (two of them placed elsewhere), b none of ours yet: b is the least loaded.
    await register("a", ["w1", "w3", "x9"]);
    await directory.refresh();
    expect((await directory.pick("w5", 1000))!.id).toBe("b");
    for (const w of ["w1", "w2", "w3", "w4", "w5"]) directory.detach(w);
  });

  it("tells the workers placed on a runner when its registration expires, and places no more there", async () => {
    await register("c", [], 300);
    await directory.refresh();
    expect(directory.isLive("c")).toBe(true);
    const lost: string[] = [];
    const events: RunnerEvent[] = [];
    const listener: RunnerListener = { onRunnerEvent: (e) => void events.push(e), onRunnerLost: (r) => void lost.push(r) };
    directory.attach("wc", "c", listener);
    await redis.publish(runnerEventsChannel(prefix), JSON.stringify({ type: "session", runner: "c", worker: "wc", op: "created", id: "s1" }));
    await redis.publish(runnerEventsChannel(prefix), JSON.stringify({ type: "session", runner: "c", worker: "other", op: "created", id: "s2" }));
    await redis.publish(runnerEventsChannel(prefix), "{not json");
    const deadline = Date.now() + 5000;
    while ((lost.length === 0 || events.length === 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(events).toEqual([{ type: "session", runner: "c", worker: "wc", op: "created", id: "s1" }]);
    expect(lost).toEqual(["c"]);
    expect(directory.isLive("c")).toBe(false);
    expect(await redis.sismember(runnersSetKey(prefix), "c")).toBe(0);
    for (let i = 0; i < 4; i++) {
      const r = (await directory.pick(`n${i}`, 1000))!;
      expect(r.id).not.toBe("c");
      directory.detach(`n${i}`);
    }
  });
});
