import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { bokehRendered, launchBrowser, recordErrors } from "../helpers/browser.ts";
import { startGateway } from "../helpers/start-gateway.ts";

/** Counts non-white, non-transparent pixels over every canvas BokehJS drew (they live in shadow roots). */
const inkedPixels = (page: Page) => page.evaluate(() => {
  const canvases: HTMLCanvasElement[] = [];
  const walk = (root: Document | ShadowRoot) => {
    for (const el of root.querySelectorAll("*")) {
      if (el instanceof HTMLCanvasElement) canvases.push(el);
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  let inked = 0;
  for (const c of canvases) {
    const ctx = c.getContext("2d");
    if (!ctx || c.width === 0 || c.height === 0) continue;
    const data = ctx.getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 0 && (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240)) inked++;
    }
  }
  return { canvases: canvases.length, inked };
});

const pointCount = (page: Page) => page.evaluate(() => {
  const doc = (window as unknown as { Bokeh: { documents: Array<{ get_model_by_name(n: string): { data: Record<string, ArrayLike<number>> } | null }> } }).Bokeh.documents[0];
  return doc.get_model_by_name("points")!.data.x.length;
});

describe("the demo app in real headless Chromium with the real BokehJS", () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let browser: Browser;
  beforeAll(async () => {
    [gw, browser] = await Promise.all([startGateway(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it("renders the plot, syncs a button click, a slider move and the live stream", async () => {
    const page = await browser.newPage();
    const errors = recordErrors(page);
    await page.goto(`${gw.url}/demo`);
    await bokehRendered(page);
    await expect.poll(() => inkedPixels(page), { timeout: 15_000 }).toMatchObject({ inked: expect.any(Number) });
    await expect.poll(async () => (await inkedPixels(page)).inked, { timeout: 15_000 }).toBeGreaterThan(500);
    expect(await page.title()).toBe("plothost demo");

    const before = await pointCount(page);
    expect(before).toBe(50);
    await page.locator("button", { hasText: "Add a point" }).click();
    await expect.poll(() => pointCount(page), { timeout: 10_000 }).toBe(51);
    await page.locator("button", { hasText: "Add a point" }).click();
    await expect.poll(() => pointCount(page), { timeout: 10_000 }).toBe(52);

    // The periodic callback streams into the live source, one point a second.
    const liveLength = () => page.evaluate(() =>
      (window as unknown as { Bokeh: { documents: Array<{ get_model_by_name(n: string): { data: { t: unknown[] } } }> } })
        .Bokeh.documents[0].get_model_by_name("live").data.t.length);
    const live0 = await liveLength();
    await expect.poll(liveLength, { timeout: 10_000 }).toBeGreaterThan(live0);

    // Moving the slider (a browser-side change) runs the server callback, which rewrites y.
    const yAt10 = () => page.evaluate(() =>
      (window as unknown as { Bokeh: { documents: Array<{ get_model_by_name(n: string): { data: { y: ArrayLike<number> } } }> } })
        .Bokeh.documents[0].get_model_by_name("points").data.y[10]);
    const y0 = await yAt10();
    await page.evaluate(() => {
      const doc = (window as unknown as { Bokeh: { documents: Array<{ get_model_by_name(n: string): { value: number } }> } }).Bokeh.documents[0];
      doc.get_model_by_name("frequency").value = 3;
    });
    await expect.poll(yAt10, { timeout: 10_000 }).not.toBeCloseTo(y0, 6);
    expect(errors).toEqual([]);
    await page.close();
  });
});
