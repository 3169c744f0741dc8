import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REDIS_URL, deleteKeys } from "../../fixtures/storage/redis.ts";
import { startGateway } from "../../helpers/start-gateway.ts";
import { appsClient, deployToken, tarGzOf } from "./app-helpers.ts";

// The same deploy, with its jobs on BullMQ in the real Redis under a key prefix of this test's own.
describe("deploy jobs on BullMQ (--job-queue redis)", { timeout: 120_000 }, () => {
  const prefix = `plothost-test-deploy-${randomBytes(6).toString("hex")}`;
  let gw: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gw = await startGateway(["--job-queue", "redis", "--redis-url", REDIS_URL, "--job-queue-prefix", prefix]);
  });
  afterAll(async () => {
    await gw?.close();
    await deleteKeys([`${prefix}:`]);
  });

  it("runs the deploy as a BullMQ job whose state is read back from Redis", async () => {
    expect(gw.apps.queue.kind).toBe("bullmq");
    const c = appsClient(gw.url, await deployToken(gw.url));
    const res = await c.deploy("queued", await tarGzOf({ "queued.ts": 'import { Div, type Document } from "plothost";\nexport default (doc: Document) => { doc.title = "via bullmq"; doc.add_root(new Div({ text: "ok" })); };\n' }));
    expect(res.status).toBe(202);
    const job = await c.waitForJob("queued", res.body.deploy.id);
    expect(job).toMatchObject({ name: "deploy", state: "done", result: { version: 1 } });
    expect(job.steps.map((s: { step: string }) => s.step)).toEqual(["unpacking", "compiling", "starting a worker", "switching traffic"]);
    expect(await (await fetch(`${gw.url}/defaultuser/queued`)).text()).toContain("<title>via bullmq</title>");
    const broken = await c.deploy("queued", await tarGzOf({ "queued.ts": "export default (" }));
    const failed = await c.waitForJob("queued", broken.body.deploy.id);
    expect(failed.state).toBe("failed");
    expect(failed.error).toMatch(/queued\.ts:1:\d+/);
  });
});
