import { Redis } from "ioredis";
import { expect, it } from "vitest";
import { RedisSessionSnapshots } from "../../../gateway/src/sessions/redis-session-snapshots.ts";
import { redisTestPrefix, REDIS_URL, deleteKeys } from "../../fixtures/storage/redis.ts";
import { sessionSnapshotsContract } from "./session-snapshots.contract.ts";

const prefixes: string[] = [];
sessionSnapshotsContract("redis", async () => {
  const prefix = redisTestPrefix();
  prefixes.push(prefix);
  let client: Redis | null = null;
  return {
    open: async (opts) => new RedisSessionSnapshots({ url: REDIS_URL, prefix, ...opts }),
    // Redis expires keys itself: wait until this test's keys are gone (bounded), as a restore would find them.
    expire: async () => {
      client ??= new Redis(REDIS_URL);
      const deadline = Date.now() + 5000;
      while ((await client.keys(`${prefix}*`)).length > 0) {
        if (Date.now() > deadline) throw new Error("keys did not expire within 5 s");
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    cleanup: async () => {
      await client?.quit();
      client = null;
      await deleteKeys([prefix]);
    },
  };
});

it("keeps a session under <prefix>appsession:<appKey>:<id> with a TTL refreshed on write", async () => {
  const prefix = redisTestPrefix();
  const store = new RedisSessionSnapshots({ url: REDIS_URL, prefix, ttlS: 100 });
  const client = new Redis(REDIS_URL);
  try {
    await store.saveSnapshot("/alice/sales", "s1", 1, { version: "3.10.0", title: "", roots: [] });
    await store.appendChanges("/alice/sales", "s1", 2, []);
    const key = `${prefix}appsession:/alice/sales:s1`;
    expect(await client.exists(key, `${key}:log`)).toBe(2);
    expect(await client.ttl(key)).toBeGreaterThan(90);
    expect(await client.ttl(`${key}:log`)).toBeGreaterThan(90);
  } finally {
    await store.close();
    await client.quit();
    await deleteKeys([prefix]);
  }
});
