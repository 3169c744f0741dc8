/** The gateway kill -9 test for one backend (crash-gateway-file/-redis.test.ts). See crash-harness.ts. */
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GatewayProcess } from "../../../bench/lib/gateway-process.ts";
import { Prng } from "../fuzz/prng.ts";
import { SEED, expectNoneLost, freePort, gatewayProcess, killed, load, post, publish, startRedis, storedXs, tmpDir } from "./crash-harness.ts";

/** Declares the test: SIGKILL the gateway process at a random point under load on `backend`, restart, check. */
export function gatewayKillSuite(backend: "file" | "redis"): void {
  describe(`kill -9 of the gateway under load (${backend} backend)`, () => {
    let redis: ChildProcess | null = null;
    let args: string[] = [];
    beforeAll(async () => {
      args = ["--backend", "file"];
      if (backend === "redis") {
        const port = await freePort();
        redis = await startRedis(port, tmpDir("plothost-crash-redis-"));
        args = ["--backend", "redis", "--redis-url", `redis://127.0.0.1:${port}`, "--job-queue", "local", "--redis-prefix", `crash${SEED}:`];
      }
    });
    afterAll(async () => {
      if (redis) await killed(redis);
    });

    it("every acknowledged point is there after a restart", async () => {
      const rng = Prng.forCase(SEED, 1);
      const dataDir = tmpDir("plothost-crash-");
      let gw: GatewayProcess | null = await gatewayProcess(dataDir, args);
      try {
        const base = `http://127.0.0.1:${gw.port}`;
        const doc = await publish(base);
        const writes = load(base, doc);
        await writes.afterAcks(rng.between(10, 60));
        await new Promise((resolve) => setTimeout(resolve, rng.int(15))); // somewhere inside a batch, not just after one
        await killed(gw.child);
        gw = null;
        await writes.done;
        expect(writes.acked.size).toBeGreaterThan(0);
        gw = await gatewayProcess(dataDir, args);
        const again = `http://127.0.0.1:${gw.port}`;
        expectNoneLost(writes.acked, await storedXs(again, doc));
        // And it keeps working: a new write is acknowledged and read back.
        const res = await post(`${again}/api/v1/docs/${doc.id}/stream`, { source: doc.source, data: { x: [-1], y: [0] } });
        expect(res.status).toBe(200);
        expect((await storedXs(again, doc)).has(-1)).toBe(true);
      } finally {
        if (gw) await gw.close();
      }
    }, 120_000);
  });
}
