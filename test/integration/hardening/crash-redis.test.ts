/**
 * Crash safety (issue 10): Redis SIGKILLed at a seeded random point while writers stream to a published document
 * on the Redis backend loses no acknowledged point, and the same gateway carries on once Redis is back. See
 * crash-harness.ts.
 */
import { describe, expect, it } from "vitest";
import { Prng } from "../fuzz/prng.ts";
import { startGateway } from "../../helpers/start-gateway.ts";
import { fixture } from "../apps/app-helpers.ts";
import { SEED, expectNoneLost, freePort, killed, load, post, publish, startRedis, storedXs, tmpDir } from "./crash-harness.ts";

describe("kill -9 of Redis under load", () => {
  it("every acknowledged point is there once Redis is restarted, and the same gateway carries on", async () => {
    const rng = Prng.forCase(SEED, 2);
    const port = await freePort();
    const redisDir = tmpDir("plothost-crash-redis-");
    let redis = await startRedis(port, redisDir);
    const gw = await startGateway(["--backend", "redis", "--redis-url", `redis://127.0.0.1:${port}`, "--job-queue", "local", fixture("whoami.ts")]);
    try {
      const doc = await publish(gw.url);
      const writes = load(gw.url, doc);
      await writes.afterAcks(rng.between(10, 60));
      await new Promise((resolve) => setTimeout(resolve, rng.int(15)));
      await killed(redis);
      await writes.done; // each writer stops at its first refused (5xx) or failed write
      redis = await startRedis(port, redisDir);
      expectNoneLost(writes.acked, await storedXs(gw.url, doc));
      const deadline = Date.now() + 30_000;
      let status = 0;
      while (status !== 200 && Date.now() < deadline) {
        const res = await post(`${gw.url}/api/v1/docs/${doc.id}/stream`, { source: doc.source, data: { x: [-1], y: [0] } });
        status = res.status;
        await res.arrayBuffer();
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(status, `seed ${SEED}: writes did not resume after Redis came back`).toBe(200);
      expect((await storedXs(gw.url, doc)).has(-1)).toBe(true);
    } finally {
      await gw.close();
      await killed(redis);
    }
  }, 120_000);
});
