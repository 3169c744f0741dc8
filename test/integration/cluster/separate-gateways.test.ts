/**
 * The docker-compose topology's gateways: two separate `plothost serve --runners` processes with data directories
 * of their own (as two replicas on two hosts), sharing only PostgreSQL, Redis and the secrets, with one runner.
 * An app deployed through one is served by the other (its files reach the runner through Redis, not a shared
 * disk), and a session opened through one is reached through the other on the same worker (the session registry
 * in Redis; the app changes announced between gateways). A runner stopped with SIGTERM is dropped by both at once.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { PID_APP, clusterScratch } from "./cluster-helpers.ts";
import type { Model } from "../../../shared/index.ts";
import { pullSession } from "../../../client/client-session.ts";
import { startServe } from "../client/run-cli.ts";
import { appsClient, deployToken, tarGzOf } from "../apps/app-helpers.ts";
import { postgresDatabase } from "../auth/auth-helpers.ts";
import { killRunners, startRunner } from "./runner-process.ts";
import { parseRunnerTarget } from "../../../gateway/src/runner/runner-protocol.ts";

const scratch = clusterScratch("replicas");
const { tmp, prefix } = scratch;
const db = postgresDatabase();

const APP = `
import { Div, type Document } from "plothost";
export default function app(doc: Document): void {
  doc.title = "replicated";
  doc.add_root(new Div({ name: "note", text: "built" }));
}
`;

describe("two gateway replicas with their own data directories, one runner", { timeout: 180_000 }, () => {
  const redis = new Redis("redis://127.0.0.1:6379");
  afterAll(async () => {
    redis.disconnect();
    killRunners();
    await scratch.cleanup();
    await db.drop();
  });

  it("serves an app deployed through one replica from the other, a session through either, and moves on when a runner stops", async () => {
    const shared = ["--redis-url", "redis://127.0.0.1:6379", "--redis-prefix", prefix, "--runner-secret", randomBytes(24).toString("hex"), "--runner-heartbeat", "300"];
    const runner = await startRunner(shared, tmp, "runner");
    const env = { PLOTHOST_SECRET_KEY: randomBytes(32).toString("base64url") };
    const args = ["--backend", "redis", "--runners", ...shared, "--database-url", db.url, "--port", "0", PID_APP];
    // One after the other: the first migrates the shared database.
    const a = await startServe(args, env, tmp);
    const b = await startServe(args, env, tmp);
    const [baseA, baseB] = [a.url, b.url].map((u) => u.replace("localhost", "127.0.0.1"));

    const apps = appsClient(baseA, await deployToken(baseA));
    const deployed = await apps.deploy("hello", await tarGzOf({ "hello.ts": APP }));
    expect(deployed.status).toBe(202);
    expect((await apps.waitForJob("hello", deployed.body.deploy.id)).state).toBe("done");

    // Replica B never saw the archive: its worker gets the files from Redis.
    const page = await fetch(`${baseB}/defaultuser/hello`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<title>replicated</title>");

    // A session opened through A and changed there is the same live session through B.
    const first = await pullSession({ url: `${baseA}/defaultuser/hello` });
    (first.document.get_model_by_name("note") as Model).set("text", "changed through A");
    await first.flush();
    await first.close();
    const again = await pullSession({ url: `${baseB}/defaultuser/hello`, sessionId: first.id });
    expect((again.document.get_model_by_name("note") as Model).get("text")).toBe("changed through A");
    await again.close();

    // A runner stopped gracefully (SIGTERM) deregisters at once: both gateways drop it without waiting for its
    // registration to expire, and the app's next sessions start on the other runner.
    const second = await startRunner(shared, tmp, "runner-2");
    expect(await runner.stop()).toBe(0);
    for (const gateway of [a, b]) await gateway.printed(`"runner":"${runner.id}","why":"it stopped","msg":"runner lost"`);
    for (const base of [baseA, baseB]) {
      const s = await pullSession({ url: `${base}/defaultuser/hello` });
      const target = await redis.get(`${prefix}session:${s.id}`);
      expect(parseRunnerTarget(target!)?.runnerId).toBe(second.id);
      await s.close();
    }

    expect(await a.stop("SIGTERM")).toBe(0);
    expect(await b.stop("SIGTERM")).toBe(0);
    expect(await second.stop()).toBe(0);
  });
});
