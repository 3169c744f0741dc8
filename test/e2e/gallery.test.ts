import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "../helpers/browser.ts";
import { projectRoot, startGateway } from "../helpers/start-gateway.ts";

/** The BokehJS API the tests reach into (window.Bokeh), typed as far as they use it. */
interface BokehModelJS {
  type: string;
  id: string;
  [attr: string]: any;
}
interface BokehWindow {
  Bokeh: {
    documents: Array<{ all_models: Set<BokehModelJS>; get_model_by_name(name: string): BokehModelJS | null }>;
    index: { find_one(model: BokehModelJS): any };
  };
}

/** Every glyph type and widget the gallery must show (model names as BokehJS knows them). */
const GLYPHS = ["Line", "Step", "Scatter", "Circle", "VBar", "HBar", "Quad", "Rect", "VArea", "HArea", "Patches", "MultiLine", "Segment", "Wedge", "Text", "Image"];
const WIDGETS = [
  "Button", "Toggle", "Dropdown", "Slider", "RangeSlider", "Select", "MultiSelect", "TextInput", "TextAreaInput", "NumericInput", "CheckboxGroup",
  "RadioGroup", "DatePicker", "DataTable", "TableColumn", "Div", "Paragraph", "PreText", "Tabs", "TabPanel", "Row", "Column", "GridPlot", "CustomJS",
];
const TOOLS = ["PanTool", "WheelZoomTool", "BoxZoomTool", "ResetTool", "SaveTool", "HoverTool", "TapTool", "BoxSelectTool", "LassoSelectTool", "CrosshairTool"];

describe("the gallery app in real headless Chromium with the real BokehJS", () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let browser: Browser;
  beforeAll(async () => {
    [gw, browser] = await Promise.all([startGateway([path.join(projectRoot, "examples", "gallery.ts")]), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  /** A fresh session of the gallery (a new page), loaded and synced, with its console problems collected. */
  async function openGallery(): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1500 } });
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    await page.goto(`${gw.url}/gallery`);
    // The server answers document_ready by writing this text: the page rendered and the session syncs both ways.
    await expect.poll(() => statusText(page, "events"), { timeout: 20_000 }).toBe("events: document ready");
    return { page, problems };
  }

  const statusText = (page: Page, name: string) =>
    page.evaluate((n) => (window as unknown as BokehWindow).Bokeh?.documents[0]?.get_model_by_name(n)?.text as string | undefined, name);

  it("renders every glyph, tool and widget without a BokehJS error", async () => {
    const { page, problems } = await openGallery();
    const seen = await page.evaluate(() => {
      const { Bokeh } = window as unknown as BokehWindow;
      const models = [...Bokeh.documents[0].all_models];
      const renderers = models.filter((m) => m.type === "GlyphRenderer");
      return {
        types: [...new Set(models.map((m) => m.type))],
        glyphsWithViews: renderers.filter((r) => Bokeh.index.find_one(r) != null).map((r) => r.glyph.type as string),
        renderers: renderers.length,
      };
    });
    expect(seen.types).toEqual(expect.arrayContaining([...GLYPHS, ...WIDGETS, ...TOOLS, "DatetimeAxis", "LogAxis", "CategoricalAxis", "Legend"]));
    expect(seen.glyphsWithViews).toHaveLength(seen.renderers);
    expect(new Set(seen.glyphsWithViews)).toEqual(new Set(GLYPHS));
    expect(await page.title()).toBe("plothost gallery");
    expect(problems.filter((p) => /could not resolve type/i.test(p))).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("syncs a box selection made in the browser to the server's selected.indices callback and selection_geometry event", async () => {
    const { page, problems } = await openGallery();
    // Drag a box over x in [1.5, 4.5] of the "lines" plot (its active drag tool is box_select), once its frame is
    // laid out and its ranges computed (measuring earlier gives a box somewhere else).
    await page.waitForFunction(() => {
      const { Bokeh } = window as unknown as BokehWindow;
      const view = Bokeh.index.find_one(Bokeh.documents[0].get_model_by_name("lines")!);
      if (!view) return false;
      const { bbox, x_scale } = view.frame;
      const a = x_scale.compute(1.5);
      const b = x_scale.compute(4.5);
      return bbox.width > 0 && bbox.height > 0 && Number.isFinite(a) && Number.isFinite(b) && b - a > 20;
    }, undefined, { timeout: 30_000 });
    const box = await page.evaluate(() => {
      const { Bokeh } = window as unknown as BokehWindow;
      const view = Bokeh.index.find_one(Bokeh.documents[0].get_model_by_name("lines")!);
      const canvas = (view.canvas_view.el as HTMLElement).getBoundingClientRect();
      const { bbox, x_scale } = view.frame;
      return { x0: canvas.left + x_scale.compute(1.5), x1: canvas.left + x_scale.compute(4.5), y0: canvas.top + bbox.top + 5, y1: canvas.top + bbox.bottom - 5 };
    });
    await page.mouse.move(box.x0, box.y0);
    await page.mouse.down();
    await page.mouse.move((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2, { steps: 4 });
    await page.mouse.move(box.x1, box.y1, { steps: 4 });
    await page.mouse.up();
    const inBrowser = () =>
      page.evaluate(() => [...(window as unknown as BokehWindow).Bokeh.documents[0].get_model_by_name("points")!.selected.indices].join(","));
    await expect.poll(inBrowser, { timeout: 30_000 }).toBe("5,6,7,8,9,10,11,12,13");
    await expect.poll(() => statusText(page, "selection"), { timeout: 30_000 }).toBe("selected: 5,6,7,8,9,10,11,12,13");
    await expect.poll(() => statusText(page, "events"), { timeout: 30_000 }).toBe("events: rect selection");

    // A selection set through the BokehJS document reaches the server callback too.
    await page.evaluate(() => {
      (window as unknown as BokehWindow).Bokeh.documents[0].get_model_by_name("points")!.selected.indices = [1, 3];
    });
    await expect.poll(() => statusText(page, "selection"), { timeout: 30_000 }).toBe("selected: 1,3");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("sends a DataTable cell edit to the server as a patch of the source", async () => {
    const { page, problems } = await openGallery();
    const cell = page.locator(".slick-row").first().locator(".slick-cell.r2");
    await expect.poll(() => cell.textContent(), { timeout: 30_000 }).toBe("1.50");
    await cell.dblclick();
    const editor = page.locator(".slick-cell.r2.active input");
    await editor.fill("42");
    await editor.press("Enter");
    await expect.poll(() => statusText(page, "table_status"), { timeout: 30_000 }).toBe("table: value[0] = 42");
    expect(problems).toEqual([]);
    await page.close();
  });

  it("syncs a Tabs change to the server and runs CustomJS in the browser", async () => {
    const { page, problems } = await openGallery();
    await page.locator(".bk-tab", { hasText: "Text" }).click();
    await expect.poll(() => statusText(page, "tab_status"), { timeout: 30_000 }).toBe("tab: 1");
    await expect.poll(() => page.locator("pre", { hasText: "preformatted" }).isVisible(), { timeout: 30_000 }).toBe(true);

    expect(await statusText(page, "js_status")).toBe("CustomJS: not run");
    await page.locator("button", { hasText: "Run CustomJS" }).click();
    await expect.poll(() => statusText(page, "js_status"), { timeout: 30_000 }).toBe("CustomJS: ran in the browser");
    await expect.poll(() => page.locator("div", { hasText: /^CustomJS: ran in the browser$/ }).count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("streams with rollover and patches slices from server callbacks", async () => {
    const { page, problems } = await openGallery();
    const live = () =>
      page.evaluate(() => {
        const data = (window as unknown as BokehWindow).Bokeh.documents[0].get_model_by_name("live")!.data;
        return { t: [...data.t], v: [...data.v].map((x: number) => Math.round(x * 100) / 100) };
      });
    const stream = page.locator("button", { hasText: "Stream 5 points" });
    for (let i = 1; i <= 7; i++) {
      await stream.click();
      await expect.poll(async () => (await live()).t.at(-1), { timeout: 30_000 }).toBe(5 * i);
    }
    const streamed = await live();
    expect(streamed.t).toEqual(Array.from({ length: 30 }, (_, i) => i + 6));
    await page.locator("button", { hasText: "Patch" }).click();
    await expect.poll(async () => (await live()).v.slice(0, 4), { timeout: 30_000 }).toEqual([1, -1, -1, -1]);
    expect((await live()).v.slice(4)).toEqual(streamed.v.slice(4));
    expect(problems).toEqual([]);
    await page.close();
  });
});
