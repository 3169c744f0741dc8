import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { ColumnDataSource, Session, figure } from "../../../client/index.ts";
import { launchBrowser } from "../../helpers/browser.ts";
import { projectRoot } from "../../helpers/start-gateway.ts";
import { PASSWORD, removeTempHomes, startMultiUser, tempHome, username, type Gw } from "./client-helpers.ts";

type BokehWindow = { Bokeh?: { documents: Array<{ get_model_by_id(id: string): { data: Record<string, ArrayLike<unknown>> } | null; roots(): unknown[] }> } };

/** Opens a public link in Chromium and waits for BokehJS to have the document; collects page errors. */
async function open(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
  await page.goto(url);
  await page.waitForFunction(() => ((window as unknown as BokehWindow).Bokeh?.documents.length ?? 0) > 0, undefined, { timeout: 30_000 });
  return { page, errors };
}

// What a script publishes, as a browser (real BokehJS) sees it through the public link.
describe("script-published plots in real Chromium", { timeout: 120_000 }, () => {
  let gw: Gw;
  let browser: Browser;
  let session: Session;
  beforeAll(async () => {
    [gw, browser] = await Promise.all([startMultiUser(), launchBrowser()]);
    session = new Session({ rootUrl: gw.url, env: { PLOTHOST_HOME: tempHome().home } });
    await session.register(username("viewer"), PASSWORD);
  });
  afterAll(async () => {
    await session?.close();
    await browser?.close();
    await gw?.close();
    removeTempHomes();
  });

  it("renders a published figure and shows each doc.stream() live", async () => {
    const source = new ColumnDataSource({ data: { x: [1, 2], y: [3, 4] } });
    const p = figure({ title: "Sales" });
    p.line({ x: "x", y: "y", source });
    const doc = await session.publish(p, { name: "sales", visibility: "public" });
    const { page, errors } = await open(browser, doc.publicUrl!);
    const length = () => page.evaluate((id) => (window as unknown as BokehWindow).Bokeh!.documents[0].get_model_by_id(id)!.data.x.length, source.id);
    expect(await length()).toBe(2);
    await doc.stream(source, { x: [3], y: [5] });
    await expect.poll(length, { timeout: 10_000 }).toBe(3);
    expect(errors).toEqual([]);
    await page.close();
  });

  const python = spawnSync("python3", ["--version"], { stdio: "ignore" }).error === undefined;
  it(`renders the document examples/python/publish.py writes by hand${python ? "" : " (python3 missing: its shape is checked instead)"}`, async () => {
    // The script's document, printed by its own line_plot() (importing the script needs requests; stub it when absent).
    const code = `import sys, json, types; sys.modules.setdefault("requests", types.ModuleType("requests")); sys.path.insert(0, ${JSON.stringify(path.join(projectRoot, "examples", "python"))}); import publish; print(json.dumps(publish.line_plot("from python", [0, 1, 2], [1.5, 2.5, 2.0])))`;
    if (!python) {
      expect(fs.readFileSync(path.join(projectRoot, "examples", "python", "publish.py"), "utf8")).toMatch(/^def line_plot\(/m);
      return;
    }
    const out = spawnSync("python3", ["-c", code], { encoding: "utf8" });
    expect(out.status).toBe(0);
    const info = await session.publishJson(JSON.parse(out.stdout), { visibility: "public" });
    const { page, errors } = await open(browser, info.publicUrl!);
    expect(await page.evaluate(() => (window as unknown as BokehWindow).Bokeh!.documents[0].get_model_by_id("py-source")!.data.t.length)).toBe(3);
    await page.waitForSelector("canvas", { timeout: 10_000 });
    expect(errors).toEqual([]);
    await page.close();
  });
});
