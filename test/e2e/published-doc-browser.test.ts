import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { launchBrowser } from "../helpers/browser.ts";
import { startGateway } from "../helpers/start-gateway.ts";

const fixtures = ["line_scatter_hover.json", "vbar_categorical.json"].map((f) =>
  JSON.parse(fs.readFileSync(new URL(`../fixtures/bokeh-3.6-docs/${f}`, import.meta.url), "utf8")));

type BokehWindow = { Bokeh?: { documents: Array<{ get_model_by_id(id: string): { data: Record<string, ArrayLike<unknown>> } | null; roots(): unknown[] }> } };

describe("published Python Bokeh documents in real Chromium", () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let browser: Browser;
  beforeAll(async () => {
    [gw, browser] = await Promise.all([startGateway(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  const publish = async (doc: unknown) => {
    const res = await fetch(`${gw.url}/api/v1/docs?visibility=public`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(doc) });
    expect(res.status).toBe(201);
    return (await res.json()) as { id: string; publicUrl: string };
  };

  it("renders each reference document through its public link, without errors", async () => {
    for (const fixture of fixtures) {
      const { publicUrl } = await publish(fixture);
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
      await page.goto(publicUrl);
      await page.waitForFunction(() => ((window as unknown as BokehWindow).Bokeh?.documents.length ?? 0) > 0, undefined, { timeout: 20_000 });
      expect(await page.evaluate(() => (window as unknown as BokehWindow).Bokeh!.documents[0].roots().length)).toBe(fixture.roots.length);
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it("a stream posted to the API shows up in an open browser", async () => {
    const { id, publicUrl } = await publish(fixtures[0]);
    const page = await browser.newPage();
    await page.goto(publicUrl);
    await page.waitForFunction(() => ((window as unknown as BokehWindow).Bokeh?.documents.length ?? 0) > 0, undefined, { timeout: 20_000 });
    const length = () => page.evaluate(() => (window as unknown as BokehWindow).Bokeh!.documents[0].get_model_by_id("p1001")!.data.x.length);
    const before = await length();
    const res = await fetch(`${gw.url}/api/v1/docs/${id}/stream`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ source: "p1001", data: { x: [100], y: [5], label: ["live"] } }),
    });
    expect(res.status).toBe(200);
    await expect.poll(length, { timeout: 10_000 }).toBe(before + 1);
    await page.close();
  });
});
