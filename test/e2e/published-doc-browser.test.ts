import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Frame } from "playwright-core";
import { bokehRendered, launchBrowser, recordErrors } from "../helpers/browser.ts";
import { startGateway } from "../helpers/start-gateway.ts";

const fixtures = ["line_scatter_hover.json", "vbar_categorical.json"].map((f) =>
  JSON.parse(fs.readFileSync(new URL(`../fixtures/bokeh-3.6-docs/${f}`, import.meta.url), "utf8")));

type BokehWindow = {
  Bokeh?: {
    documents: Array<{ get_model_by_id(id: string): { data: Record<string, ArrayLike<unknown>> } | null; roots(): unknown[] }>;
    index: { find_one(model: unknown): { el: HTMLElement } | null };
  };
};

/**
 * A page on another origin (its own port) that puts `frames` (src URLs) into iframes of 480×300 CSS pixels and
 * renders `autoload` (an autoload.js URL) into a 480×300 element `#auto`.
 */
async function hostPage(frames: string[], autoload: string): Promise<{ url: string; close(): Promise<void> }> {
  const html = `<!DOCTYPE html><html><body>${frames.map((src, i) =>
    `<iframe id="f${i}" src="${src}" width="480" height="300" style="border:0"></iframe>`).join("\n")}
<div id="auto" style="width:480px;height:300px"></div><script src="${autoload.replace(/&/g, "&amp;")}"></script></body></html>`;
  const server = http.createServer((_req, res) => void res.writeHead(200, { "content-type": "text/html" }).end(html));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  // `localhost` vs the gateway's `127.0.0.1`, on another port: a different origin and a different site.
  return { url: `http://localhost:${port}/`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("published Python Bokeh documents in real Chromium", () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let browser: Browser;
  beforeAll(async () => {
    // The autoload.js embed connects from the host page's origin (http://localhost:<port>); the pages, from their own.
    const origins = ["--allow-websocket-origin", "localhost", "--allow-websocket-origin", "127.0.0.1"];
    [gw, browser] = await Promise.all([startGateway(origins), launchBrowser()]);
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
      const errors = recordErrors(page, { console: true });
      await page.goto(publicUrl);
      await bokehRendered(page);
      expect(await page.evaluate(() => (window as unknown as BokehWindow).Bokeh!.documents[0].roots().length)).toBe(fixture.roots.length);
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  it("a stream posted to the API shows up in an open browser", async () => {
    const { id, publicUrl } = await publish(fixtures[0]);
    const page = await browser.newPage();
    await page.goto(publicUrl);
    await bokehRendered(page);
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

  it("?embed=1 pages render in iframes of another site, fill the frame and show no scrollbars; autoload.js renders too", async () => {
    // A responsive plot (sizing_mode stretch_both) takes the whole frame.
    const stretchy = structuredClone(fixtures[0]) as { roots: Array<{ id: string; attributes: Record<string, unknown> }> };
    const root = stretchy.roots[0];
    delete root.attributes.width;
    delete root.attributes.height;
    root.attributes.sizing_mode = "stretch_both";
    const { id, publicUrl } = await publish(stretchy);
    const linkRes = await fetch(`${gw.url}/api/v1/docs/${id}/links`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ mode: "view" }) });
    expect(linkRes.status).toBe(201);
    const link = ((await linkRes.json()) as { url: string }).url;
    const embeds = [`${publicUrl}&embed=1`, `${gw.url}/doc/${id}/${root.id}?public=true&embed=1`, `${link}?embed=1`];
    const docUrl = `${gw.url}/doc/${id}`;
    const autoload = `${docUrl}/autoload.js?bokeh-autoload-element=auto&bokeh-absolute-url=${encodeURIComponent(docUrl)}&public=true`;
    const host = await hostPage([...embeds, publicUrl], autoload); // the last frame is a normal page: not to be framed by others
    const page = await browser.newPage();
    try {
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      // Marks each iframe once its document (or the browser's error page) has loaded.
      await page.addInitScript(() => document.addEventListener("load", (e) => {
        if (e.target instanceof HTMLIFrameElement) e.target.dataset.loaded = "1";
      }, true));
      await page.goto(host.url);
      const frameOf = async (i: number): Promise<Frame> => (await (await page.$(`#f${i}`))!.contentFrame())!;
      for (let i = 0; i <= embeds.length; i++) {
        // The frames, then (i === embeds.length) the host page itself, where autoload.js rendered into #auto.
        const frame = i < embeds.length ? await frameOf(i) : page.mainFrame();
        if (i < embeds.length) expect(frame.url()).toBe(embeds[i]);
        await frame.waitForFunction(() => {
          const { Bokeh } = window as unknown as BokehWindow;
          const doc = Bokeh?.documents[0];
          const view = doc && Bokeh.index.find_one(doc.roots()[0]);
          return view ? view.el.getBoundingClientRect().height > 0 : false;
        }, undefined, { timeout: 20_000 });
        const fit = () => frame.evaluate(() => {
          const { Bokeh } = window as unknown as BokehWindow;
          const box = Bokeh!.index.find_one(Bokeh!.documents[0].roots()[0])!.el.getBoundingClientRect();
          const d = document.documentElement;
          // The plot is drawn: some canvas pixels are neither white nor transparent (canvases live in shadow roots).
          let inked = 0;
          const walk = (r: Document | ShadowRoot): void => r.querySelectorAll("*").forEach((el) => {
            if (el instanceof HTMLCanvasElement && el.width > 0 && el.height > 0) {
              const px = el.getContext("2d")!.getImageData(0, 0, el.width, el.height).data;
              for (let k = 0; k < px.length; k += 4) if (px[k + 3] > 0 && Math.min(px[k], px[k + 1], px[k + 2]) < 200) inked++;
            }
            if (el.shadowRoot) walk(el.shadowRoot);
          });
          walk(document);
          return {
            width: Math.round(box.width), height: Math.round(box.height), inner: [innerWidth, innerHeight], drawn: inked > 100,
            scrolls: d.scrollWidth > d.clientWidth || d.scrollHeight > d.clientHeight, overflow: getComputedStyle(document.body).overflow,
          };
        });
        if (i < embeds.length) {
          await expect.poll(fit, { timeout: 10_000 }).toEqual({ width: 480, height: 300, inner: [480, 300], drawn: true, scrolls: false, overflow: "hidden" });
        } else {
          await expect.poll(async () => { const f = await fit(); return [f.width, f.height, f.drawn]; }, { timeout: 10_000 }).toEqual([480, 300, true]);
        }
      }
      // The normal page refuses to be framed by another site (frame-ancestors 'self'): Chromium shows its error page.
      await page.waitForFunction((i) => document.querySelector<HTMLIFrameElement>(`#f${i}`)?.dataset.loaded === "1", embeds.length, { timeout: 20_000 });
      expect((await frameOf(embeds.length)).url()).toMatch(/^chrome-error:/);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
      await host.close();
    }
  });
});
