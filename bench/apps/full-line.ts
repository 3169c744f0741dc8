/**
 * The baseline of `bench/large-data.ts`'s browser part: the same kind of series as `examples/big-timeseries.ts`
 * (`?n=` points, a random walk with a daily cycle, one reading a second), in a plain ColumnDataSource, so the
 * browser receives every point once and redraws all of them on each pan or zoom.
 */
import { ColumnDataSource, figure, type Document } from "plothost";

const START = Date.UTC(2024, 0, 1);

function makeSeries(n: number): { t: Float64Array; value: Float64Array } {
  let seed = 1;
  const rand = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
  const t = new Float64Array(n);
  const value = new Float64Array(n);
  let level = 20;
  for (let i = 0; i < n; i++) {
    level += (rand() - 0.5) * 0.05;
    t[i] = START + i * 1000;
    value[i] = level + 3 * Math.sin((2 * Math.PI * i) / 86_400);
  }
  return { t, value };
}

const cache = new Map<number, ReturnType<typeof makeSeries>>();

export default function fullLine(doc: Document, ctx?: { request?: { arguments?: Readonly<Record<string, string[]>> } }): void {
  const asked = Number(ctx?.request?.arguments?.n?.[0]);
  const n = Number.isFinite(asked) ? Math.min(10_000_000, Math.max(1000, Math.round(asked))) : 1_000_000;
  let series = cache.get(n);
  if (series === undefined) {
    cache.clear();
    cache.set(n, (series = makeSeries(n)));
  }
  const source = new ColumnDataSource({ name: "series", data: series });
  const p = figure({ name: "lines", height: 320, sizing_mode: "stretch_width", x_axis_type: "datetime", tools: "xpan,xwheel_zoom,reset" });
  p.line({ x: "t", y: "value", source, line_width: 1 });
  doc.title = `${n} points, full columns`;
  doc.add_root(p);
}
