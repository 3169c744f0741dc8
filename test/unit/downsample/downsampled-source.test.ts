import { afterEach, describe, expect, it, vi } from "vitest";
import { Document, Model, NDArray, runWithDocument, serializeEvents, type DocumentChangedEvent } from "../../../shared/document/index.ts";
import { DownsampledSource, column, figure, type DownsampledSourceInit, type Figure } from "../../../shared/models/index.ts";
import { randomSeries, seededRandom } from "./seeded-random.ts";

/** Module-level columns, as an app builds them once for every session of its worker. */
const N = 200_000;
const line = randomSeries(seededRandom(21), N);
const rand = seededRandom(22);
const cloud = { x: Float64Array.from({ length: N }, () => rand() * 100), y: Float64Array.from({ length: N }, () => rand() * 50) };

/** The microtask in which a source binds to its plot, and everything before it. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Built {
  doc: Document;
  source: DownsampledSource;
  plot: Figure;
  events: DocumentChangedEvent[];
}

async function build(kind: "line" | "scatter", init: Partial<DownsampledSourceInit> = {}, plotWidth = 800): Promise<Built> {
  const doc = new Document();
  const events: DocumentChangedEvent[] = [];
  const { source, plot } = runWithDocument(doc, () => {
    const source = new DownsampledSource({ data: kind === "line" ? { t: line.x, v: line.y } : { a: cloud.x, b: cloud.y }, ...init });
    const plot = figure({ width: plotWidth, height: 500 });
    if (kind === "line") plot.line({ x: "t", y: "v", source });
    else plot.scatter({ x: "a", y: "b", source });
    doc.add_root(column(plot));
    return { source, plot };
  });
  await settle();
  doc.on_change((ev) => events.push(ev));
  return { doc, source, plot, events };
}

/** What BokehJS sends when the user zooms or the plot is laid out: ModelChanged events from the browser. */
function fromBrowser(doc: Document, changes: Array<[Model, string, number]>): Promise<void> {
  const events = changes.map(([model, attr, value]) => ({ kind: "ModelChanged", model: { id: model.id }, attr, new: value }));
  return doc.apply_json_patch({ events }, undefined, "browser");
}

const rangeOf = (plot: Model, attr: "x_range" | "y_range"): Model => plot.get<Model>(attr);
const numbers = (values: unknown): number[] => Array.from(values as ArrayLike<number>);
/** A column of the view the browser has. */
const viewColumn = (source: DownsampledSource, name: string): Float64Array => source.view_data[name] as Float64Array;

afterEach(() => {
  vi.useRealTimers();
});

describe("DownsampledSource following a line plot", () => {
  it("sends at most 2 points per pixel column of the estimated frame, with the data's extremes, over a fixed x range", async () => {
    const { source, plot } = await build("line");
    const xr = rangeOf(plot, "x_range");
    expect(xr.type).toBe("Range1d");
    const span = line.x[N - 1] - line.x[0];
    expect(xr.get("start")).toBeCloseTo(line.x[0] - 0.05 * span, 6);
    expect(xr.get("end")).toBeCloseTo(line.x[N - 1] + 0.05 * span, 6);
    expect(rangeOf(plot, "y_range").type).toBe("DataRange1d"); // a line follows x only: y keeps fitting the view
    expect(plot.has("lod_threshold") && plot.get("lod_threshold")).toBeNull(); // no grey decimation while panning
    const view = source.view_data;
    expect(view.v).toBeInstanceOf(Float64Array);
    expect(view.t.length).toBeGreaterThan(100);
    expect(view.t.length).toBeLessThanOrEqual(2 * (800 - 60) + 2);
    const extent = (values: Float64Array): [number, number] => [values.reduce((a, b) => Math.min(a, b)), values.reduce((a, b) => Math.max(a, b))];
    expect(extent(view.v as Float64Array)).toEqual(extent(line.y));
  });

  it("keeps the plot's own ranges and lod_threshold when the app set them", async () => {
    const doc = new Document();
    const plot = runWithDocument(doc, () => {
      const p = figure({ x_range: [1000, 2000], lod_threshold: 5000 });
      p.line({ x: "t", y: "v", source: new DownsampledSource({ data: { t: line.x, v: line.y } }) });
      doc.add_root(p);
      return p;
    });
    const xr = rangeOf(plot, "x_range");
    await settle();
    expect(rangeOf(plot, "x_range")).toBe(xr);
    expect([xr.get("start"), xr.get("end")]).toEqual([1000, 2000]);
    expect(plot.get("lod_threshold")).toBe(5000);
  });

  it("keeps the full columns shared, not copied: every session's source holds the module-level arrays", async () => {
    const [a, b] = await Promise.all([build("line"), build("line")]);
    expect(a.source.data.t).toBe(line.x);
    expect(b.source.data.v).toBe(line.y);
    expect(a.source.view_data.t).not.toBe(b.source.view_data.t);
  });

  it("updates the view after a zoom from the browser: finer, inside the new range, bounded by inner_width", async () => {
    const { doc, source, plot, events } = await build("line", { debounce_ms: 0 });
    const seen: number[] = [];
    source.on_change("data", () => seen.push(source.view_data.t.length)); // app callbacks see each new view
    const xr = rangeOf(plot, "x_range");
    const [start, end] = [line.x[50_000], line.x[52_000]];
    await fromBrowser(doc, [[xr, "start", start], [xr, "end", end], [plot, "inner_width", 300]]);
    await expect.poll(() => viewColumn(source, "t")[1]).toBeGreaterThanOrEqual(start);
    const t = numbers(source.view_data.t);
    expect(t.length).toBeLessThanOrEqual(2 * 300 + 2);
    expect(t.slice(1, -1).every((v) => v >= start && v <= end)).toBe(true);
    expect(t[0]).toBeLessThan(start); // one point beyond each edge, so the line reaches the frame's edges
    expect(t.at(-1)).toBeGreaterThan(end);
    const changes = events.filter((e) => e.kind === "ColumnDataChanged");
    expect(changes).toHaveLength(1);
    expect(seen).toEqual([t.length]);
    expect(changes[0].setter).toBeUndefined(); // the browser that zoomed gets the new view too
    const { buffers } = serializeEvents(changes, doc, { threshold: 64 });
    expect(buffers.map((b) => b.data.byteLength)).toEqual([t.length * 8, t.length * 8]); // binary, not JSON numbers
  });

  it("coalesces a burst of range changes into one update that reads the latest range", async () => {
    const { doc, source, plot, events } = await build("line", { debounce_ms: 40 });
    vi.useFakeTimers();
    const xr = rangeOf(plot, "x_range");
    for (let k = 1; k <= 10; k++) await fromBrowser(doc, [[xr, "start", line.x[1000 * k]], [xr, "end", line.x[1000 * k + 5000]]]);
    expect(events.filter((e) => e.kind === "ColumnDataChanged")).toHaveLength(0); // the previous view stays until then
    await vi.advanceTimersByTimeAsync(40);
    expect(events.filter((e) => e.kind === "ColumnDataChanged")).toHaveLength(1);
    expect(viewColumn(source, "t")[1]).toBeGreaterThanOrEqual(line.x[10_000]);
    await vi.advanceTimersByTimeAsync(200);
    expect(events.filter((e) => e.kind === "ColumnDataChanged")).toHaveLength(1);
    await fromBrowser(doc, [[plot, "inner_height", 123]]); // a line does not depend on the height
    await vi.advanceTimersByTimeAsync(200);
    expect(events.filter((e) => e.kind === "ColumnDataChanged")).toHaveLength(1);
  });

  it("uses LTTB when asked, within the same point budget", async () => {
    const { source } = await build("line", { method: "lttb" });
    expect(source.view_data.t.length).toBe(2 * (800 - 60) + 2);
  });

  it("sends the view of new full columns when data is assigned", async () => {
    const { source, events } = await build("line");
    const t = Float64Array.from({ length: 1000 }, (_, i) => i);
    source.data = { t, v: t.map((v) => v * 2) };
    expect(source.data.t).toBe(t);
    expect(events.filter((e) => e.kind === "ColumnDataChanged")).toHaveLength(1);
    expect(numbers(source.view_data.v).slice(0, 3)).toEqual([0, 2, 4]);
    expect(() => (source.data = { t: Float64Array.of(3, 1), v: Float64Array.of(1, 2) })).toThrow(/sorted ascending/);
    expect(() => (source.data = { x: t, v: t })).toThrow(/no column 't'/);
    expect(source.data.t).toBe(t); // a refused assignment changes nothing
  });

  it("keeps a browser's mirror in sync when a plot is added to a live document (events in a valid order)", async () => {
    const doc = new Document();
    const mirror = Document.from_json(doc.to_json());
    const applied: Array<Promise<void>> = [];
    doc.on_change((ev) => {
      const { json, buffers } = serializeEvents([ev], doc, { threshold: 64 });
      applied.push(mirror.apply_json_patch(json, new Map(buffers.map((b) => [b.id, b.data]))));
    });
    runWithDocument(doc, () => {
      const source = new DownsampledSource({ name: "big", data: { a: cloud.x, b: cloud.y } });
      const plot = figure();
      plot.scatter({ x: "a", y: "b", source });
      doc.add_root(plot);
    });
    await settle();
    await Promise.all(applied); // an event naming a model the browser cannot know yet would reject here
    expect(doc.callback_errors).toEqual([]);
    const plot = mirror.roots[0];
    expect(plot.get<Model>("x_range").type).toBe("Range1d");
    const image = (plot.get<Model[]>("renderers")[0].get<Model>("data_source").get<Map<string, unknown>>("data").get("image") as NDArray[])[0];
    expect(image.shape).toEqual([600 - 60, 600 - 60]);
  });
});

describe("DownsampledSource following a scatter plot", () => {
  it("shows an aggregate image of counts per pixel under the scatter, with a hover tool that reports the bin's count and range", async () => {
    const { source, plot } = await build("scatter", {}, 700);
    expect(rangeOf(plot, "x_range").type).toBe("Range1d");
    expect(rangeOf(plot, "y_range").type).toBe("Range1d");
    const renderers = plot.renderers as Model[];
    const aggregate = source.aggregate_renderer!;
    expect(renderers.indexOf(aggregate)).toBe(renderers.findIndex((r) => r.get("data_source") === source) - 1);
    expect(source.view_kind).toBe("image");
    expect(source.view_data.a.length).toBe(0);
    const data = aggregate.get<Model>("data_source").get<Map<string, unknown>>("data");
    const image = (data.get("image") as NDArray[])[0];
    expect(image.shape).toEqual([500 - 60, 700 - 60]);
    expect(image.dtype).toMatch(/^uint(8|16|32)$/);
    const counts = image.flat()!;
    expect(Array.from(counts).reduce((a, b) => a + b, 0)).toBe(N); // every point is inside the padded default view
    const hover = (plot.toolbar.get<Model[]>("tools")).find((t) => t.type === "HoverTool")!;
    expect(hover.get("renderers")).toEqual([aggregate]);
    expect(hover.get("tooltips")).toEqual([["count", "@image"], ["x", "$x{custom}"], ["y", "$y{custom}"]]);
    // The bin's range: the formatters' code, run as BokehJS runs a CustomJSHover (args by name, then value,
    // format, special_vars), on the image's columns as the browser has them, for bin (i = 3, j = 2).
    const formatters = hover.get<Record<string, Model>>("formatters");
    const bin = (axis: "$x" | "$y"): string => {
      const f = formatters[axis];
      expect(f.type).toBe("CustomJSHover");
      const args = f.get<Record<string, unknown>>("args");
      expect(args.source).toBe(aggregate.get("data_source"));
      const browserData = { ...Object.fromEntries(data), image: [{ shape: image.shape }] };
      const run = new Function("source", "value", "format", "special_vars", f.get<string>("code")) as (...a: unknown[]) => string;
      return run({ data: browserData }, 0, undefined, { image_index: { index: 0, i: 3, j: 2, flat_index: 2 * (700 - 60) + 3 } });
    };
    const [x0, dw, y0, dh] = ["x", "dw", "y", "dh"].map((c) => (data.get(c) as Float64Array)[0]);
    const edge = (v: number): number => Number(v.toPrecision(6));
    expect(bin("$x")).toBe(`[${edge(x0 + (3 * dw) / (700 - 60))}, ${edge(x0 + (4 * dw) / (700 - 60))})`);
    expect(bin("$y")).toBe(`[${edge(y0 + (2 * dh) / (500 - 60))}, ${edge(y0 + (3 * dh) / (500 - 60))})`);
  });

  it("switches to the raw points when a zoom leaves at most max_points visible, and back", async () => {
    const { doc, source, plot } = await build("scatter", { debounce_ms: 0, max_points: 1000 });
    const [xr, yr] = [rangeOf(plot, "x_range"), rangeOf(plot, "y_range")];
    await fromBrowser(doc, [[xr, "start", 10], [xr, "end", 12], [yr, "start", 20], [yr, "end", 21]]);
    await expect.poll(() => source.view_kind).toBe("points");
    const inside = [...cloud.x.keys()].filter((i) => cloud.x[i] >= 10 && cloud.x[i] <= 12 && cloud.y[i] >= 20 && cloud.y[i] <= 21);
    expect(numbers(source.view_data.a)).toEqual(inside.map((i) => cloud.x[i]));
    const imageData = () => source.aggregate_renderer!.get<Model>("data_source").get<Map<string, unknown>>("data").get("image") as unknown[];
    expect(imageData()).toEqual([]);
    await fromBrowser(doc, [[xr, "start", 0], [xr, "end", 100]]);
    await expect.poll(() => source.view_kind).toBe("image");
    expect(imageData()).toHaveLength(1);
    expect(source.view_data.a.length).toBe(0);
  });

  it("bins by bin_size pixels and leaves the hover tool out when asked", async () => {
    const { source, plot } = await build("scatter", { bin_size: 4, hover: false });
    const image = (source.aggregate_renderer!.get<Model>("data_source").get<Map<string, unknown>>("data").get("image") as NDArray[])[0];
    expect(image.shape).toEqual([Math.ceil(440 / 4), Math.ceil(740 / 4)]);
    expect(plot.toolbar.get<Model[]>("tools").some((t) => t.type === "HoverTool")).toBe(false);
  });

  it("follows the mode option over the glyph type", async () => {
    const doc = new Document();
    const source = runWithDocument(doc, () => {
      const source = new DownsampledSource({ data: { t: line.x, v: line.y }, mode: "line" });
      const p = figure();
      p.scatter({ x: "t", y: "v", source });
      doc.add_root(p);
      return source;
    });
    await settle();
    expect(source.view_kind).toBe("points");
    expect(source.view_data.t.length).toBeLessThanOrEqual(2 * 540 + 2);
    expect(source.aggregate_renderer).toBeNull();
  });
});

describe("DownsampledSource refusals", () => {
  it("must be created inside a session's document", () => {
    expect(() => new DownsampledSource({ data: { x: [1], y: [2] } })).toThrow(expect.objectContaining({ code: "no_current_document" }));
  });

  it("refuses columns of different lengths, stream and patch", () => {
    runWithDocument(new Document(), () => {
      expect(() => DownsampledSource({ data: { x: [1, 2], y: [2] } })).toThrow(expect.objectContaining({ code: "bad_columns" }));
      const source = DownsampledSource({ data: { x: [1], y: [2] } });
      expect(() => source.stream({ x: [2], y: [3] })).toThrow(/assign source.data/);
      expect(() => source.patch({ y: [[0, 1]] })).toThrow(/assign source.data/);
    });
  });

  it("reports an unsorted x for a line, or a missing column, to the document's error handler", async () => {
    const doc = new Document();
    runWithDocument(doc, () => {
      const p = figure();
      p.line({ x: "x", y: "y", source: new DownsampledSource({ data: { x: Float64Array.of(2, 1, 3), y: Float64Array.of(1, 2, 3) } }) });
      p.scatter({ x: "u", y: "y", source: new DownsampledSource({ data: { x: Float64Array.of(2, 1, 3), y: Float64Array.of(1, 2, 3) } }) });
      doc.add_root(p);
    });
    await settle();
    expect(doc.callback_errors.map((e) => (e.error as Error).message)).toEqual([
      expect.stringMatching(/sorted ascending/),
      expect.stringMatching(/no column 'u'/),
    ]);
  });
});
