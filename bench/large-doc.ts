/**
 * large-doc: publish a document with a 1,000,000-point line (a ColumnDataSource of two float64 columns, sent as
 * binary ndarrays) through the HTTP API, then open it in real BokehJS in headless Chromium: time to publish
 * (POST → 201), time from opening the page to the first render, and the bytes on the wire (POST body; page,
 * and WebSocket frames received until the first render). Two gateways in their own processes: the default, which
 * sends sources of 100,000 rows and more downsampled per viewer (`--downsample-threshold`), and
 * `--downsample-threshold 0`, which sends all 1,000,000 points. Baseline in the same run: the same POST body sent
 * to a bare Node HTTP server that reads it and JSON.parses it (transfer + parse, nothing stored).
 *
 * `npx tsx bench/large-doc.ts` (`--no-record` only prints).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { ColumnDataSource, Document, figure } from "../shared/index.ts";
import { launchBrowser } from "../test/helpers/browser.ts";
import { spawnGateway } from "./lib/gateway-process.ts";
import { fixtureApp } from "./lib/plothost.ts";
import { isMain, runAlone, type BenchResult } from "./lib/report.ts";
import { bytes, ms, now, ratio } from "./lib/stats.ts";

const N = 1_000_000;

interface BokehWindow {
  Bokeh?: { documents: Array<{ get_model_by_name(name: string): { [attr: string]: any } | null }> };
}

function body(): string {
  const x = new Float64Array(N).map((_, i) => i);
  const y = new Float64Array(N).map((_, i) => Math.sin(i / 5000) + ((i * 7919) % 101) / 500);
  const doc = new Document();
  const source = new ColumnDataSource({ data: { x, y }, name: "series" });
  const p = figure({ title: "1M points", width: 1000, height: 400, name: "lines" });
  p.line({ x: "x", y: "y", source });
  doc.add_root(p);
  return JSON.stringify(doc.to_json());
}

/** The baseline: a bare server that reads the body and parses it. */
async function bareServer(): Promise<{ port: number; close(): Promise<void> }> {
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      JSON.parse(Buffer.concat(chunks).toString("utf8"));
      res.writeHead(201, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
  return { port: (srv.address() as AddressInfo).port, close: () => new Promise((resolve) => srv.close(() => resolve())) };
}

async function post(url: string, text: string): Promise<{ ms: number; json: unknown }> {
  const t = now();
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: text });
  const json = (await res.json()) as unknown;
  if (res.status !== 201) throw new Error(`POST ${url}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return { ms: now() - t, json };
}

async function render(browser: Browser, url: string): Promise<{ ms: number; pageBytes: number; wsBytes: number; points: number }> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  let wsBytes = 0;
  let pageBytes = 0;
  page.on("websocket", (ws) => ws.on("framereceived", ({ payload }) => void (wsBytes += typeof payload === "string" ? Buffer.byteLength(payload) : payload.length)));
  page.on("response", (r) => void r.body().then((b) => (pageBytes += b.length), () => {}));
  try {
    const t0 = now();
    await page.goto(url, { timeout: 300_000 });
    await page.waitForFunction(() => {
      const doc = (window as unknown as BokehWindow).Bokeh?.documents[0];
      const plot = doc?.get_model_by_name("lines");
      const x = doc?.get_model_by_name("series")?.data.x as ArrayLike<number> | undefined;
      return plot !== null && plot !== undefined && plot.inner_width > 0 && x !== undefined && x.length > 0;
    }, undefined, { timeout: 300_000, polling: 50 });
    await page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
    const took = now() - t0;
    const points = await page.evaluate(() => ((window as unknown as BokehWindow).Bokeh!.documents[0].get_model_by_name("series")!.data.x as ArrayLike<number>).length);
    return { ms: took, pageBytes, wsBytes, points };
  } finally {
    await page.close();
  }
}

export async function run(): Promise<BenchResult> {
  const text = body();
  const bare = await bareServer();
  const baseline = await post(`http://127.0.0.1:${bare.port}/`, text);
  await bare.close();
  const table = [["gateway", "publish (POST → 201)", "publish ÷ bare server", "page open → first render", "points in the browser", "bytes: page + static", "bytes: WebSocket to first render"]];
  const browser = await launchBrowser();
  try {
    for (const [label, extra] of [["default (downsampled per viewer)", []], ["--downsample-threshold 0 (all points)", ["--downsample-threshold", "0"]]] as const) {
      const gw = await spawnGateway([...extra, "--websocket-max-message-size", String(256 * 1024 * 1024), fixtureApp("whoami.ts")]);
      try {
        const published = await post(`http://127.0.0.1:${gw.port}/api/v1/docs?name=large`, text);
        const { id } = published.json as { id: string };
        const r = await render(browser, `http://127.0.0.1:${gw.port}/doc/${id}`);
        table.push([label, ms(published.ms), ratio(published.ms, baseline.ms), ms(r.ms), r.points.toLocaleString("en"), bytes(r.pageBytes), bytes(r.wsBytes)]);
      } finally {
        await gw.close();
      }
    }
  } finally {
    await browser.close();
  }
  table.push(["bare Node server (baseline): read + JSON.parse", ms(baseline.ms), "1.00×", "", "", "", ""]);
  return {
    name: "large-doc",
    title: `publish and render a ${N.toLocaleString("en")}-point ColumnDataSource (line, float64 x and y)`,
    table,
    notes: [
      `POST body: ${bytes(text.length)} of JSON (the columns as base64 ndarrays; raw float64 bytes are ${bytes(N * 16)}). File backend (the default): the document is written and fsynced before the 201.`,
      "First render = page navigation start → the source holds data and the plot has a width, plus two animation frames, in headless Chromium (software rendering). WebSocket bytes are the frames received until then (binary buffers for the float64 columns).",
    ],
  };
}

if (isMain(import.meta.url)) runAlone(() => run());
