/**
 * Session survival across worker hosts with the real BokehJS (issue 9): a restorable app deployed to a gateway
 * with two runners, open in headless Chromium; the host of the runner holding the session dies (the runner and its
 * workers, SIGKILL). BokehJS reconnects by itself, the gateway routes the session to the other runner, where it is
 * restored, and the page goes on showing and driving the session's data.
 */
import fs from "node:fs";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { bokehRendered, launchBrowser, recordErrors } from "../helpers/browser.ts";
import { startServe } from "../integration/client/run-cli.ts";
import { appsClient, deployToken, fixture, tarGzOf } from "../integration/apps/app-helpers.ts";
import { clusterScratch } from "../integration/cluster/cluster-helpers.ts";
import { killRunners, startRunner, type RunnerProcess } from "../integration/cluster/runner-process.ts";
import { parseRunnerTarget } from "../../gateway/src/runner/runner-protocol.ts";

type BokehModel = { text?: string; value?: number; data?: Record<string, ArrayLike<number>> };
declare const Bokeh: { documents: Array<{ get_model_by_name(n: string): BokehModel | null }> };

const shown = (page: Page) => page.evaluate(() => {
  const doc = Bokeh.documents[0]!;
  return { status: doc.get_model_by_name("status")!.text, rows: doc.get_model_by_name("rows")!.data!.i!.length };
});

describe("BokehJS in headless Chromium follows its restorable session to another runner", { timeout: 180_000 }, () => {
  const scratch = clusterScratch("runner-e2e");
  const { tmp, prefix } = scratch;
  const redis = new Redis("redis://127.0.0.1:6379");
  let browser: Browser;
  afterAll(async () => {
    await browser?.close();
    killRunners();
    redis.disconnect();
    await scratch.cleanup();
  });
  beforeAll(async () => {
    browser = await launchBrowser();
  });

  it("shows the session's data after the runner holding it dies, and the slider still drives the callback", async () => {
    const shared = ["--redis-url", "redis://127.0.0.1:6379", "--redis-prefix", prefix, "--runner-secret", randomBytes(24).toString("hex"), "--runner-heartbeat", "300"];
    const runners = await Promise.all([startRunner(shared, tmp, "r1"), startRunner(shared, tmp, "r2")]);
    const served = await startServe(["--backend", "redis", "--runners", ...shared, "--port", "0", "--max-procs", "2"], {}, tmp);
    const base = served.url.replace("localhost", "127.0.0.1");
    const apps = appsClient(base, await deployToken(base));
    const deployed = await apps.deploy("survivor", await tarGzOf({ "survivor.ts": fs.readFileSync(fixture("restorable.ts"), "utf8") }));
    expect((await apps.waitForJob("survivor", deployed.body.deploy.id)).state).toBe("done");

    const page = await browser.newPage();
    const errors = recordErrors(page);
    await page.goto(`${base}/defaultuser/survivor`);
    await bokehRendered(page);
    await page.evaluate(() => void (Bokeh.documents[0]!.get_model_by_name("n")!.value = 5));
    await expect.poll(() => shown(page), { timeout: 10_000 }).toEqual({ status: "built\nrows:5", rows: 5 });
    const [log] = await redis.keys(`${prefix}appsession:/defaultuser/survivor:*:log`);
    await expect.poll(async () => (await redis.lrange(log!, 0, -1)).join(), { timeout: 10_000 }).toContain("rows:5");
    const sessionId = log!.split(":").at(-2)!;
    const holder = parseRunnerTarget((await redis.get(`${prefix}session:${sessionId}`))!)!.runnerId;
    const victim = runners.find((r) => r.id === holder)! as RunnerProcess;

    await victim.killHost();
    await expect.poll(() => shown(page), { timeout: 60_000 }).toEqual({ status: "restored\nrows:5", rows: 5 });
    expect(parseRunnerTarget((await redis.get(`${prefix}session:${sessionId}`))!)!.runnerId).not.toBe(victim.id);
    await page.evaluate(() => void (Bokeh.documents[0]!.get_model_by_name("n")!.value = 2));
    await expect.poll(() => shown(page), { timeout: 10_000 }).toEqual({ status: "restored\nrows:2", rows: 2 });
    expect(errors).toEqual([]);
    expect(await served.stop("SIGTERM")).toBe(0);
  });
});
