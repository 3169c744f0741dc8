/**
 * Session survival with the real BokehJS (issue 9): a restorable app's page in headless Chromium, its worker
 * killed with SIGKILL; BokehJS reconnects by itself (its `reconnect_session` default), the gateway restores the
 * session on the new worker, and the page shows the session's data and keeps working through the re-attached
 * callback.
 */
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { bokehRendered, launchBrowser, recordErrors } from "../helpers/browser.ts";
import { projectRoot, startGateway } from "../helpers/start-gateway.ts";
import { REDIS_URL, deleteKeys, redisTestPrefix } from "../fixtures/storage/redis.ts";

type BokehModel = { text?: string; value?: number; data?: Record<string, ArrayLike<number>> };
declare const Bokeh: { documents: Array<{ get_model_by_name(n: string): BokehModel | null }> };

/** The status Div's text and the rows data source's length, as the page's BokehJS document has them. */
const shown = (page: Page) => page.evaluate(() => {
  const doc = Bokeh.documents[0]!;
  return { status: doc.get_model_by_name("status")!.text, rows: doc.get_model_by_name("rows")!.data!.i!.length };
});

describe("a restorable app in real headless Chromium: BokehJS reconnects to its restored session", () => {
  const prefix = redisTestPrefix();
  const redis = new Redis(REDIS_URL);
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let browser: Browser;
  beforeAll(async () => {
    [gw, browser] = await Promise.all([
      startGateway([
        path.join(projectRoot, "test", "fixtures", "apps", "restorable.ts"), "--worker-restart-backoff", "50",
        "--backend", "redis", "--redis-url", REDIS_URL, "--redis-prefix", prefix, "--job-queue", "local",
      ]),
      launchBrowser(),
    ]);
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    redis.disconnect();
    await deleteKeys([prefix]);
  });

  it("shows the session's data after its worker is killed, and the slider still drives the server's callback", async () => {
    const page = await browser.newPage();
    const errors = recordErrors(page);
    await page.goto(`${gw.url}/restorable`);
    await bokehRendered(page);
    expect(await shown(page)).toEqual({ status: "built", rows: 0 });

    // The browser moves the slider; the server's callback fills the rows, and the change is saved.
    await page.evaluate(() => void (Bokeh.documents[0]!.get_model_by_name("n")!.value = 6));
    await expect.poll(() => shown(page), { timeout: 10_000 }).toEqual({ status: "built\nrows:6", rows: 6 });
    const [log] = await redis.keys(`${prefix}appsession:/restorable:*:log`);
    await expect.poll(async () => (await redis.lrange(log!, 0, -1)).join(), { timeout: 10_000 }).toContain("rows:6");

    const sup = gw.supervisors.get("restorable")!;
    const old = sup.pid!;
    process.kill(old, "SIGKILL");
    // BokehJS reconnects with the same session; the new worker restored it (the app's `restore` ran, not its main).
    await expect.poll(() => shown(page), { timeout: 30_000 }).toEqual({ status: "restored\nrows:6", rows: 6 });
    expect(sup.pid).not.toBe(old);
    await page.evaluate(() => void (Bokeh.documents[0]!.get_model_by_name("n")!.value = 3));
    await expect.poll(() => shown(page), { timeout: 10_000 }).toEqual({ status: "restored\nrows:3", rows: 3 });
    expect(errors).toEqual([]);
  });
});
