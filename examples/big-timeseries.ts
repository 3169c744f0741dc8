/**
 * Ten million points that pan and zoom like a hundred: a 10M-point time series (one reading a second for four
 * months) and a 2M-point scatter, each drawn from a `DownsampledSource`. The browser only ever receives what its
 * view needs (about two points per pixel of width for the line; the visible points, or an image of counts per
 * pixel, for the scatter), recomputed by the worker after every pan, zoom or resize.
 *
 * Serve it with `npx plothost serve examples/big-timeseries.ts` (it is then at `/big-timeseries`).
 * `?n=2000000&scatter=500000` chooses other sizes (1,000 to 10,000,000 each).
 *
 * The pattern for large data: build the columns once, at module level, as typed arrays. Every session's
 * DownsampledSource then refers to the same arrays (nothing is copied per viewer); only the small views are
 * per session.
 */
import { Div, DownsampledSource, column, figure, type Document } from "plothost";

const MAX_POINTS = 10_000_000;
const START = Date.UTC(2024, 0, 1);

/** A seeded PRNG (mulberry32): the same data in every worker. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A sensor-like series: a random walk with a daily cycle and rare spikes, one reading a second. */
function makeSeries(n: number): { t: Float64Array; value: Float64Array } {
  const rand = random(1);
  const t = new Float64Array(n);
  const value = new Float64Array(n);
  let level = 20;
  for (let i = 0; i < n; i++) {
    level += (rand() - 0.5) * 0.05;
    t[i] = START + i * 1000;
    const daily = 3 * Math.sin((2 * Math.PI * i) / 86_400);
    value[i] = level + daily + (rand() < 1e-5 ? (rand() - 0.5) * 40 : 0);
  }
  return { t, value };
}

/** Gaussian clusters, the shape that makes an aggregate image worth having. */
function makeCloud(n: number): { x: Float64Array; y: Float64Array } {
  const rand = random(2);
  const centres = [[0, 0, 1], [4, 3, 0.5], [-3, 4, 1.5], [2, -4, 0.3]];
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const [cx, cy, s] = centres[i % centres.length];
    const r = Math.sqrt(-2 * Math.log(1 - rand())) * s;
    const a = 2 * Math.PI * rand();
    x[i] = cx + r * Math.cos(a);
    y[i] = cy + r * Math.sin(a);
  }
  return { x, y };
}

/**
 * Columns by size, made on first use and then shared by every session of this worker. Only the last two sizes
 * asked for are kept (sessions still using an older one keep theirs alive), so query arguments cannot pile up data.
 */
const seriesBySize = new Map<number, ReturnType<typeof makeSeries>>();
const cloudBySize = new Map<number, ReturnType<typeof makeCloud>>();

function size(args: Readonly<Record<string, string[]>>, name: string, fallback: number): number {
  const asked = Number(args[name]?.[0]);
  return Number.isFinite(asked) ? Math.min(MAX_POINTS, Math.max(1000, Math.round(asked))) : fallback;
}

function cached<T>(cache: Map<number, T>, n: number, make: (n: number) => T): T {
  let value = cache.get(n);
  if (value === undefined) {
    value = make(n);
    cache.set(n, value);
    for (const old of [...cache.keys()].slice(0, -2)) cache.delete(old);
  }
  return value;
}

export default function bigTimeseries(doc: Document, ctx?: { request?: { arguments?: Readonly<Record<string, string[]>> } }): void {
  const args = ctx?.request?.arguments ?? {};
  const n = size(args, "n", MAX_POINTS);
  const m = size(args, "scatter", 2_000_000);
  const series = cached(seriesBySize, n, makeSeries);
  const cloud = cached(cloudBySize, m, makeCloud);

  const lineSource = new DownsampledSource({ name: "series", data: series });
  const lines = figure({
    name: "lines", title: `${n.toLocaleString("en")} readings, one a second`, x_axis_type: "datetime",
    height: 320, sizing_mode: "stretch_width", tools: "xpan,xwheel_zoom,box_zoom,reset,save", active_scroll: "xwheel_zoom",
  });
  lines.line({ x: "t", y: "value", source: lineSource, line_width: 1 });

  const cloudSource = new DownsampledSource({ name: "cloud", data: cloud, max_points: 5000 });
  const scatter = figure({ name: "scatter", title: `${m.toLocaleString("en")} points`, height: 420, width: 520, active_scroll: "wheel_zoom" });
  scatter.scatter({ x: "x", y: "y", source: cloudSource, size: 3, alpha: 0.6 });

  const status = new Div({ name: "status", text: "" });
  const describe = (): void => {
    const shown = lineSource.view_data.t.length;
    const cloudView = cloudSource.view_kind === "image" ? "an image of counts per pixel" : `${cloudSource.view_data.x.length.toLocaleString("en")} points`;
    status.text = `line: ${shown.toLocaleString("en")} of ${n.toLocaleString("en")} points sent; scatter: ${cloudView}`;
  };
  lineSource.on_change("data", describe);
  cloudSource.on_change("data", describe);

  doc.title = "plothost: 10M points";
  doc.add_root(column(status, lines, scatter, { sizing_mode: "stretch_width" }));
}
