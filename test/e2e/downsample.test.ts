import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "../helpers/browser.ts";
import { projectRoot, startGateway } from "../helpers/start-gateway.ts";
import { ColumnDataSource, Document as PlotDocument, figure, runWithDocument } from "../../shared/index.ts";

/**
 * examples/big-timeseries.ts in real headless Chromium with the real BokehJS: its 10M-point series as served, and a
 * 500k-point scatter (chosen by a query argument instead of the example's 2M, to keep the run short on CI's 2
 * cores: binning is per point). The worker makes the data once (typed arrays, ~1–3 s) and both tests share it.
 * Then a published document (`POST /api/v1/docs`) whose column is over the downsampling threshold.
 */
const LINE_POINTS = 10_000_000;
const SCATTER_POINTS = 500_000;

/** The BokehJS API the tests reach into (window.Bokeh), typed as far as they use it. */
interface BokehModelJS {
  type: string;
  id: string;
  [attr: string]: any;
}
interface BokehWindow {
  Bokeh: {
    documents: Array<{ get_model_by_name(name: string): BokehModelJS | null }>;
    index: { find_one(model: BokehModelJS): any };
  };
}

/** WebSocket traffic the page received: bytes, and how many frames were binary (buffers of typed arrays). */
interface Traffic {
  bytes: number;
  binaryFrames: number;
}

describe("downsampled large data in real headless Chromium with the real BokehJS", () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let browser: Browser;
  beforeAll(async () => {
    [gw, browser] = await Promise.all([startGateway([path.join(projectRoot, "examples", "big-timeseries.ts")]), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  async function open(): Promise<{ page: Page; traffic: Traffic; problems: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    const traffic: Traffic = { bytes: 0, binaryFrames: 0 };
    page.on("websocket", (ws) =>
      ws.on("framereceived", ({ payload }) => {
        traffic.bytes += typeof payload === "string" ? Buffer.byteLength(payload) : payload.length;
        if (typeof payload !== "string") traffic.binaryFrames += 1;
      }),
    );
    await page.goto(`${gw.url}/big-timeseries?n=${LINE_POINTS}&scatter=${SCATTER_POINTS}`);
    // The app writes the status once the first views were computed and sent.
    await expect.poll(() => status(page), { timeout: 60_000 }).toMatch(/^line: /);
    return { page, traffic, problems };
  }

  const status = (page: Page) =>
    page.evaluate(() => (window as unknown as BokehWindow).Bokeh?.documents[0]?.get_model_by_name("status")?.text as string | undefined);

  /** The line's view in the browser: its times, the plot's x range and frame width. */
  const lineView = (page: Page) =>
    page.evaluate(() => {
      const doc = (window as unknown as BokehWindow).Bokeh.documents[0];
      const plot = doc.get_model_by_name("lines")!;
      const t = [...(doc.get_model_by_name("series")!.data.t as Float64Array)];
      return { t, start: plot.x_range.start as number, end: plot.x_range.end as number, width: plot.inner_width as number };
    });

  const medianStep = (t: number[]): number => {
    const steps = t.slice(1).map((v, i) => v - t[i]).sort((a, b) => a - b);
    return steps[Math.floor(steps.length / 2)];
  };

  it("renders a 10M-point series with about 2 points per pixel; a zoom brings a finer view, still bounded by the width", async () => {
    const { page, traffic, problems } = await open();
    // The first view was made for an estimated width; BokehJS reports the real one after layout and gets a view
    // for it: about two points per pixel column (min and max), never more than 2 · width + 2.
    await expect.poll(async () => {
      const { t, width } = await lineView(page);
      return t.length > width && t.length <= 2 * width + 2;
    }, { timeout: 15_000 }).toBe(true);
    const before = await lineView(page);
    expect(before.width).toBeGreaterThan(500);
    // Everything the page received so far (line, scatter image, document) is a small fraction of the full columns.
    expect(traffic.bytes).toBeLessThan(0.05 * LINE_POINTS * 16);
    expect(traffic.binaryFrames).toBeGreaterThan(0);
    // The line's view in the browser draws exactly the points it was sent.
    const drawn = () => page.evaluate(() => {
      const { Bokeh } = window as unknown as BokehWindow;
      const doc = Bokeh.documents[0];
      const renderer = doc.get_model_by_name("lines")!.renderers.find((r: BokehModelJS) => r.glyph.type === "Line");
      return [Bokeh.index.find_one(renderer).glyph.data_size as number, doc.get_model_by_name("series")!.data.t.length as number];
    });
    await expect.poll(async () => new Set(await drawn()).size).toBe(1);

    // Zoom in to 1% of the range, as a script in the page would (BokehJS sends the new start/end to the server).
    const [start, end] = [before.start + 0.4 * (before.end - before.start), before.start + 0.41 * (before.end - before.start)];
    const bytesBefore = traffic.bytes;
    const binaryBefore = traffic.binaryFrames;
    await page.evaluate(([s, e]) => {
      (window as unknown as BokehWindow).Bokeh.documents[0].get_model_by_name("lines")!.x_range.setv({ start: s, end: e });
    }, [start, end]);
    await expect.poll(async () => (await lineView(page)).t[1], { timeout: 15_000 }).toBeGreaterThanOrEqual(start);
    const after = await lineView(page);
    expect(after.t.length).toBeLessThanOrEqual(2 * after.width + 2);
    expect(after.t.slice(1, -1).every((v) => v >= start && v <= end)).toBe(true);
    expect(after.t[0]).toBeLessThan(start);
    expect(after.t.at(-1)).toBeGreaterThan(end);
    expect(medianStep(after.t)).toBeLessThan(medianStep(before.t) / 20);
    // The new view came as binary buffers, 16 bytes a point. The zoomed view's y labels may be wider, which
    // narrows both plots' frames (the column aligns them) and brings one more line view and a new scatter image
    // for the new widths: still a few hundred KB, under 3% of the line's full columns (32 MB).
    expect(traffic.binaryFrames).toBeGreaterThan(binaryBefore);
    expect(traffic.bytes - bytesBefore).toBeLessThan(0.03 * LINE_POINTS * 16);
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it("aggregates a 500k-point scatter into counts per pixel; hover reports a bin's count and range; a zoom to a sparse region sends the points", async () => {
    const { page, problems } = await open();
    const aggregate = () =>
      page.evaluate(() => {
        const doc = (window as unknown as BokehWindow).Bokeh.documents[0];
        const plot = doc.get_model_by_name("scatter")!;
        const image = plot.renderers.find((r: BokehModelJS) => r.glyph.type === "Image").data_source.data;
        const nd = image.image[0];
        return {
          shape: nd ? ([...nd.shape] as number[]) : null,
          total: nd ? (Array.from(nd as ArrayLike<number>).reduce((a, b) => a + b, 0) as number) : 0,
          frame: [plot.inner_height, plot.inner_width] as number[],
          points: doc.get_model_by_name("cloud")!.data.x.length as number,
        };
      });
    await expect.poll(async () => {
      const a = await aggregate();
      return a.shape === null ? null : a.shape.join("x") === a.frame.join("x");
    }, { timeout: 15_000 }).toBe(true);
    const first = await aggregate();
    expect(first.total).toBe(SCATTER_POINTS); // the default view holds every point
    expect(first.points).toBe(0);

    // Hover over the densest cluster: the tooltip reports the count of the bin under the pointer.
    const spot = await page.evaluate(() => {
      const { Bokeh } = window as unknown as BokehWindow;
      const view = Bokeh.index.find_one(Bokeh.documents[0].get_model_by_name("scatter")!);
      const canvas = (view.canvas_view.el as HTMLElement).getBoundingClientRect();
      const { bbox, x_scale, y_scale } = view.frame;
      const image = view.model.renderers.find((r: BokehModelJS) => r.glyph.type === "Image").data_source.data;
      const [ny, nx] = image.image[0].shape as number[];
      const sx = x_scale.compute(2.05);
      const sy = y_scale.compute(-3.95);
      // The bin under (sx, sy): columns from the frame's left, rows from its bottom.
      const i = Math.floor(((sx - bbox.left) / bbox.width) * nx);
      const j = Math.floor(((bbox.bottom - sy) / bbox.height) * ny);
      return { x: canvas.left + sx, y: canvas.top + sy, count: image.image[0][j * nx + i] as number };
    });
    expect(spot.count).toBeGreaterThan(0);
    await page.mouse.move(spot.x - 3, spot.y);
    await page.mouse.move(spot.x, spot.y);
    const tooltip = () =>
      page.evaluate(() => {
        const found: string[] = [];
        const walk = (root: Document | ShadowRoot): void => {
          for (const el of root.querySelectorAll("*")) {
            if (el.shadowRoot) walk(el.shadowRoot);
            if (el.classList.contains("bk-tooltip-content")) found.push((el.textContent ?? "").trim());
          }
        };
        walk(document);
        return found.join(" | ");
      });
    // Its count, then the bin's x and y ranges (half-open, in data units), which hold the hovered point.
    await expect.poll(tooltip, { timeout: 10_000 }).toMatch(new RegExp(`^count:\\s*${spot.count}\\s*x:`));
    const ranges = /x:\s*\[(\S+), (\S+)\)\s*y:\s*\[(\S+), (\S+)\)$/.exec(await tooltip());
    expect(ranges).not.toBeNull();
    const [x0, x1, y0, y1] = ranges!.slice(1).map(Number);
    // (Within a bin's width: the pointer's position is rounded to whole CSS pixels.)
    expect(Math.abs((x0 + x1) / 2 - 2.05)).toBeLessThanOrEqual(1.5 * (x1 - x0));
    expect(Math.abs((y0 + y1) / 2 - -3.95)).toBeLessThanOrEqual(1.5 * (y1 - y0));
    expect(x1 - x0).toBeLessThan(0.1); // one screen pixel's worth of data

    // Zoom into the sparse edge of a cluster: the raw points come back and the image goes.
    await page.evaluate(() => {
      const plot = (window as unknown as BokehWindow).Bokeh.documents[0].get_model_by_name("scatter")!;
      plot.x_range.setv({ start: 5, end: 6 });
      plot.y_range.setv({ start: 2.5, end: 3.5 });
    });
    await expect.poll(async () => (await aggregate()).shape, { timeout: 15_000 }).toBeNull();
    const points = await page.evaluate(() => {
      const data = (window as unknown as BokehWindow).Bokeh.documents[0].get_model_by_name("cloud")!.data;
      return { x: [...data.x] as number[], y: [...data.y] as number[] };
    });
    expect(points.x.length).toBeGreaterThan(0);
    expect(points.x.length).toBeLessThanOrEqual(5000);
    expect(points.x.every((x, k) => x >= 5 && x <= 6 && points.y[k] >= 2.5 && points.y[k] <= 3.5)).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
  it("serves a published document's 300k-point line downsampled to the viewer's width, and a finer view after a zoom", async () => {
    const n = 300_000; // over the default --downsample-threshold (100,000 rows)
    const doc = new PlotDocument();
    runWithDocument(doc, () => {
      const t = Float64Array.from({ length: n }, (_, i) => i);
      const p = figure({ name: "lines", width: 900, height: 300 });
      p.line({ x: "t", y: "v", source: new ColumnDataSource({ name: "series", data: { t, v: t.map((x) => Math.sin(x / 500) + (x % 7) / 10) } }) });
      doc.add_root(p);
    });
    const res = await fetch(`${gw.url}/api/v1/docs?name=big&visibility=public`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(doc.to_json()),
    });
    expect(res.status).toBe(201);
    const { publicUrl } = (await res.json()) as { publicUrl: string };
    const page = await browser.newPage({ viewport: { width: 1200, height: 600 } });
    const problems: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
    });
    const traffic: Traffic = { bytes: 0, binaryFrames: 0 };
    page.on("websocket", (ws) => ws.on("framereceived", ({ payload }) => {
      traffic.bytes += typeof payload === "string" ? Buffer.byteLength(payload) : payload.length;
      if (typeof payload !== "string") traffic.binaryFrames += 1;
    }));
    await page.goto(publicUrl);
    // After layout BokehJS reports the frame's real width; this viewer alone then gets a view made for it.
    await expect.poll(async () => {
      const v = await page.evaluate(() => {
        const d = (window as unknown as BokehWindow).Bokeh?.documents[0];
        const plot = d?.get_model_by_name("lines");
        return plot ? { n: d!.get_model_by_name("series")!.data.t.length as number, width: plot.inner_width as number } : null;
      });
      return v !== null && v.width > 0 && v.n > v.width && v.n <= 2 * v.width + 2;
    }, { timeout: 30_000 }).toBe(true);
    expect(traffic.bytes).toBeLessThan(0.1 * n * 16);
    const before = await lineView(page);
    const [start, end] = [before.start + 0.5 * (before.end - before.start), before.start + 0.52 * (before.end - before.start)];
    const binaryBefore = traffic.binaryFrames;
    await page.evaluate(([s, e]) => {
      (window as unknown as BokehWindow).Bokeh.documents[0].get_model_by_name("lines")!.x_range.setv({ start: s, end: e });
    }, [start, end]);
    await expect.poll(async () => (await lineView(page)).t[1], { timeout: 15_000 }).toBeGreaterThanOrEqual(start);
    const after = await lineView(page);
    expect(after.t.length).toBeLessThanOrEqual(2 * after.width + 2);
    expect(after.t.slice(1, -1).every((v) => v >= start && v <= end)).toBe(true);
    expect(medianStep(after.t)).toBeLessThan(medianStep(before.t) / 10);
    expect(traffic.binaryFrames).toBeGreaterThan(binaryBefore);
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});
