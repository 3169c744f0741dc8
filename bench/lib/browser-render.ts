/**
 * The browser part of `bench/large-data.ts`: real BokehJS in headless Chromium, through a real gateway and
 * sandboxed workers. For a line of n points it compares `examples/big-timeseries.ts` (a DownsampledSource) with
 * `bench/apps/full-line.ts` (the same kind of series in a plain ColumnDataSource: every point sent once): bytes
 * received over the WebSocket, time from opening the page to the first drawn line, and time from a range change
 * (a zoom, set in the page as a script or a tool would) to the updated render, i.e. two animation frames after the
 * new view arrived (downsampled) or after the change (full columns: nothing to fetch, every point redrawn). Both
 * apps' workers are started and their data made before the pages are timed.
 */
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "../../test/helpers/browser.ts";
import { projectRoot, startPlothost } from "./plothost.ts";
import { bytes, ms, now, percentile, ratio } from "./stats.ts";

const ZOOMS = 8;

interface PageRun {
  openMs: number;
  openBytes: number;
  zoomMs: number[];
  zoomBytes: number[];
  pointsShown: number;
}

/** What the page holds: the line's source and plot (both apps name them "series" and "lines"). */
interface BokehWindow {
  Bokeh?: { documents: Array<{ get_model_by_name(name: string): { [attr: string]: any } | null }> };
}

async function measurePage(browser: Browser, url: string, full: boolean, n: number): Promise<PageRun> {
  const page: Page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  let received = 0;
  page.on("websocket", (ws) => ws.on("framereceived", ({ payload }) => {
    received += typeof payload === "string" ? Buffer.byteLength(payload) : payload.length;
  }));
  try {
    const t0 = now();
    await page.goto(url, { timeout: 300_000 });
    // Drawn: every point (full columns), or the view made for the frame's real width (downsampled).
    await page.waitForFunction(([all, count]) => {
      const doc = (window as unknown as BokehWindow).Bokeh?.documents[0];
      const plot = doc?.get_model_by_name("lines");
      const t = doc?.get_model_by_name("series")?.data.t as ArrayLike<number> | undefined;
      if (!plot || !t || !(plot.inner_width > 0)) return false;
      return all ? t.length === count : t.length > plot.inner_width && t.length <= 2 * plot.inner_width + 2;
    }, [full, n] as const, { timeout: 300_000, polling: 50 });
    await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
    const run: PageRun = { openMs: now() - t0, openBytes: received, zoomMs: [], zoomBytes: [], pointsShown: 0 };
    const [x0, x1] = await page.evaluate(() => {
      const xr = (window as unknown as BokehWindow).Bokeh!.documents[0].get_model_by_name("lines")!.x_range;
      return [xr.start as number, xr.end as number];
    });
    for (let k = 0; k < ZOOMS; k++) {
      // Zoom in step by step towards the middle, panning a little each time (never the same view twice).
      const f = 1 / 1.6 ** (k + 1);
      const c = x0 + (x1 - x0) * (0.5 + 0.01 * k);
      const [start, end] = [c - ((x1 - x0) * f) / 2, c + ((x1 - x0) * f) / 2];
      const before = received;
      const took = await page.evaluate(async ([s, e, wait]) => {
        const doc = (window as unknown as BokehWindow).Bokeh!.documents[0];
        const source = doc.get_model_by_name("series")!;
        // (No named functions in here: tsx would wrap them in a helper the page does not have.)
        const old = source.data.t;
        const t = performance.now();
        doc.get_model_by_name("lines")!.x_range.setv({ start: s, end: e });
        const deadline = t + 60_000;
        while (wait && source.data.t === old && performance.now() < deadline) await new Promise<void>((r) => requestAnimationFrame(() => r()));
        if (wait && source.data.t === old) throw new Error("no new view within 60 s");
        for (let i = 0; i < 2; i++) await new Promise<void>((r) => requestAnimationFrame(() => r()));
        return performance.now() - t;
      }, [start, end, !full] as const);
      run.zoomMs.push(took);
      run.zoomBytes.push(received - before);
    }
    run.pointsShown = await page.evaluate(() => (window as unknown as BokehWindow).Bokeh!.documents[0].get_model_by_name("series")!.data.t.length as number);
    return run;
  } finally {
    await page.close();
  }
}

/** The browser table's rows for each size, and its notes. */
export async function measureInBrowser(sizes: number[]): Promise<{ table: string[][]; notes: string[] }> {
  const example = path.join(projectRoot, "examples", "big-timeseries.ts");
  const baseline = path.join(projectRoot, "bench", "apps", "full-line.ts");
  const gw = await startPlothost([example, baseline, "--worker-memory-limit", "4096", "--websocket-max-message-size", String(512 * 1024 * 1024)]);
  const browser = await launchBrowser();
  const table = [["points", "what", "downsampled", "full columns", "ratio (full / downsampled)"]];
  const notes: string[] = [];
  try {
    for (const n of sizes) {
      const label = `${(n / 1e6).toFixed(0)}M`;
      // Warm up: start both apps' workers and make their data (a session page runs the app), not timed.
      for (const app of ["big-timeseries", "full-line"]) await (await fetch(`${gw.url}/${app}?n=${n}&scatter=1000`)).text();
      const down = await measurePage(browser, `${gw.url}/big-timeseries?n=${n}&scatter=1000`, false, n);
      let full: PageRun | null = null;
      try {
        full = await measurePage(browser, `${gw.url}/full-line?n=${n}`, true, n);
      } catch (err) {
        notes.push(`${label} full columns: failed (${(err as Error).message.split("\n")[0]}).`);
      }
      const cell = (f: (r: PageRun) => number, fmt: (v: number) => string) => [fmt(f(down)), full ? fmt(f(full)) : "failed", full ? ratio(f(full), f(down)) : ""];
      const zoomBytes = (r: PageRun) => percentile(r.zoomBytes, 50);
      table.push(
        [label, "bytes received, page open → first line drawn", ...cell((r) => r.openBytes, bytes)],
        [label, "page open → first line drawn", ...cell((r) => r.openMs, ms)],
        [label, "bytes received per range change (median)", ...cell(zoomBytes, bytes)],
        [label, "range change → updated render, p50", ...cell((r) => percentile(r.zoomMs, 50), ms)],
        [label, "range change → updated render, p95", ...cell((r) => percentile(r.zoomMs, 95), ms)],
      );
      notes.push(`${label}: the downsampled line draws ${down.pointsShown.toLocaleString("en")} points after the last zoom; the full columns ${n.toLocaleString("en")} every time.`);
    }
  } finally {
    await browser.close();
    await gw.close();
  }
  notes.push(
    `Browser: headless Chromium (software rendering), 1200 px wide page; ${ZOOMS} zooms of 1.6× each towards the middle. Range change → updated render = from \`x_range.setv\` in the page to two animation frames after the new view arrived (downsampled) or after the change (full columns), over the real WebSocket through the gateway, with the default 30 ms coalescing delay.`,
    "Full columns: bytes received per range change are 0 (the browser has every point), but every point is redrawn on each frame of a pan or zoom.",
  );
  return { table, notes };
}
