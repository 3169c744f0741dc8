import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Document, Model, ColumnDataSource, column, figure, runWithDocument } from "../../shared/index.ts";
import { patchDocFromClient, pullDocReq, type Message } from "../../shared/protocol/index.ts";
import { BokehTestClient, tokenFromPage } from "../helpers/bokeh-client.ts";
import { startGateway } from "../helpers/start-gateway.ts";

/**
 * Published documents with large columns (`POST /api/v1/docs`): stored once as published, served to each viewer
 * as a downsampled view of what that viewer shows, following its own pan, zoom and frame size.
 */
const N = 300_000; // over the default --downsample-threshold (100,000 rows)
const FULL_BYTES = N * 16; // two float64 columns

type Gw = Awaited<ReturnType<typeof startGateway>>;

/** A random walk over sorted t (the line) and a uniform cloud (the scatter), as typed arrays. */
function bigDocument(): Document {
  let seed = 7;
  const rand = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
  const t = new Float64Array(N);
  const v = new Float64Array(N);
  const a = new Float64Array(N);
  const b = new Float64Array(N);
  let level = 0;
  for (let i = 0; i < N; i++) {
    t[i] = i;
    v[i] = level += rand() - 0.5;
    a[i] = rand() * 100;
    b[i] = rand() * 100;
  }
  const doc = new Document();
  runWithDocument(doc, () => {
    const lines = figure({ name: "lines", width: 800, height: 300 });
    lines.line({ x: "t", y: "v", source: new ColumnDataSource({ name: "series", data: { t, v } }) });
    const cloud = figure({ name: "cloud", width: 500, height: 400 });
    cloud.scatter({ x: "a", y: "b", source: new ColumnDataSource({ name: "points", data: { a, b } }) });
    const small = figure({ name: "small" });
    small.line({ x: "x", y: "y", source: new ColumnDataSource({ name: "tiny", data: { x: [1, 2, 3], y: [3, 1, 2] } }) });
    doc.add_root(column(lines, cloud, small));
  });
  return doc;
}

/** A viewer of a published document that mirrors it: the pulled document with every PATCH-DOC applied. */
interface Viewer {
  client: BokehTestClient;
  doc: Document;
  pullBytes: number;
}

const bytesOf = (m: Message): number =>
  Buffer.byteLength(JSON.stringify(m.content)) + m.buffers.reduce((n, b) => n + b.data.byteLength, 0);
const buffersOf = (m: Message): Map<string, Uint8Array> => new Map(m.buffers.map((b) => [b.id, b.data]));

async function connect(gw: Gw, id: string): Promise<Viewer> {
  const res = await fetch(`${gw.url}/doc/${id}`);
  expect(res.status).toBe(200);
  const client = await BokehTestClient.connect(`ws://127.0.0.1:${gw.port}/doc/${id}/ws`, tokenFromPage(await res.text()));
  expect((await client.next()).header.msgtype).toBe("ACK");
  const req = pullDocReq();
  client.send(req);
  const reply = await client.reply(req.header.msgid, 30_000);
  const doc = Document.from_json((reply.content as { doc: Parameters<typeof Document.from_json>[0] }).doc, buffersOf(reply));
  return { client, doc, pullBytes: bytesOf(reply) };
}

/** Sends view-local changes as BokehJS does on layout, pan and zoom, and applies the PATCH-DOC that answers them. */
async function change(v: Viewer, changes: Array<[Model, string, number]>): Promise<Message> {
  const events = changes.map(([model, attr, value]) => ({ kind: "ModelChanged", model: { id: model.id }, attr, new: value }));
  const req = patchDocFromClient({ events });
  const patch = v.client.next((m) => m.header.msgtype === "PATCH-DOC", 30_000);
  v.client.send(req);
  expect((await v.client.reply(req.header.msgid)).header.msgtype).toBe("OK");
  const m = await patch;
  await v.doc.apply_json_patch(m.content as { events: unknown[] }, buffersOf(m), "server");
  return m;
}

const model = (doc: Document, name: string): Model => doc.get_model_by_name(name)!;
const columnOf = (doc: Document, source: string, name: string): Float64Array =>
  model(doc, source).get<Map<string, unknown>>("data").get(name) as Float64Array;
const imageOf = (doc: Document, plot: string): { counts: number[]; shape: number[] } | null => {
  const renderer = model(doc, plot).get<Model[]>("renderers").find((r) => r.get<Model>("glyph").type === "Image")!;
  const image = (renderer.get<Model>("data_source").get<Map<string, unknown>>("data").get("image") as Array<{ shape: number[]; flat(): ArrayLike<number> }>)[0];
  return image ? { counts: Array.from(image.flat()), shape: [...image.shape] } : null;
};

describe("published documents with large columns: stored once, downsampled per viewer", () => {
  let gw: Gw;
  let id: string;
  /** The document as stored, fetched back once through the API. */
  let stored: Document;
  beforeAll(async () => {
    gw = await startGateway(["--backend", "memory"]);
    const res = await fetch(`${gw.url}/api/v1/docs?name=big`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(bigDocument().to_json()),
    });
    expect(res.status).toBe(201);
    id = ((await res.json()) as { id: string }).id;
    stored = Document.from_json(await (await fetch(`${gw.url}/api/v1/docs/${id}`)).json());
  }, 60_000);
  afterAll(async () => {
    await gw?.close();
  });

  it("stores the full columns as published and sends a viewer only the default view", async () => {
    expect(columnOf(stored, "series", "t")).toHaveLength(N);
    expect(columnOf(stored, "points", "a")).toHaveLength(N);
    const v = await connect(gw, id);
    // The line: at most 2 points per pixel column of the estimated frame (800 px wide), its extremes kept.
    const t = columnOf(v.doc, "series", "t");
    expect(t.length).toBeGreaterThan(100);
    expect(t.length).toBeLessThanOrEqual(2 * 800 + 2);
    const y = columnOf(v.doc, "series", "v");
    const full = columnOf(stored, "series", "v");
    expect(Math.max(...y)).toBe(full.reduce((p, q) => Math.max(p, q)));
    expect(Math.min(...y)).toBe(full.reduce((p, q) => Math.min(p, q)));
    expect(model(v.doc, "lines").get<Model>("x_range").type).toBe("Range1d"); // fixed: BokehJS must not re-fit it per view
    // The scatter: no points, an image of counts per pixel holding every point, a hover tool reporting the bin.
    expect(columnOf(v.doc, "points", "a")).toHaveLength(0);
    const image = imageOf(v.doc, "cloud")!;
    expect(image.counts.reduce((p, q) => p + q, 0)).toBe(N);
    const hover = model(v.doc, "cloud").get<Model>("toolbar").get<Model[]>("tools").find((tool) => tool.type === "HoverTool")!;
    expect(hover.get("tooltips")).toEqual([["count", "@image"], ["x", "$x{custom}"], ["y", "$y{custom}"]]);
    // A small source is sent whole, as before.
    expect(Array.from(columnOf(v.doc, "tiny", "x"))).toEqual([1, 2, 3]);
    expect(v.pullBytes).toBeLessThan(0.15 * 2 * FULL_BYTES);
    await v.client.close();
  });

  it("sends each viewer the finer view of its own zoom, bounded by its frame width, as binary buffers", async () => {
    const a = await connect(gw, id);
    const b = await connect(gw, id);
    const plot = model(a.doc, "lines");
    const xr = plot.get<Model>("x_range");
    const m = await change(a, [[plot, "inner_width", 600], [plot, "inner_height", 250], [xr, "start", 100_000.5], [xr, "end", 103_000.5]]);
    expect(m.buffers.length).toBeGreaterThan(0);
    expect(bytesOf(m)).toBeLessThan(2 * 600 * 2 * 16 + 2000);
    const t = columnOf(a.doc, "series", "t");
    expect(t.length).toBeLessThanOrEqual(2 * 600 + 2);
    expect(t.length).toBeGreaterThan(600);
    // The visible points plus one beyond each edge, so the line reaches the frame.
    expect(t[0]).toBe(100_000);
    expect(t.at(-1)).toBe(103_001);
    expect(Array.from(t.subarray(1, -1)).every((x) => x >= 100_000.5 && x <= 103_000.5)).toBe(true);
    // The other viewer's view is its own: it got nothing, and the shared document still holds the default view.
    const req = pullDocReq();
    b.client.send(req);
    const reply = await b.client.reply(req.header.msgid, 30_000);
    const again = Document.from_json((reply.content as { doc: Parameters<typeof Document.from_json>[0] }).doc, buffersOf(reply));
    expect(b.client.messages.filter((msg) => msg.header.msgtype === "PATCH-DOC")).toEqual([]);
    expect(columnOf(again, "series", "t").length).toBe(columnOf(b.doc, "series", "t").length);
    expect(columnOf(b.doc, "series", "t")[0]).toBe(0);
    await Promise.all([a.client.close(), b.client.close()]);
  });

  it("switches a scatter from the image to the raw points when a zoom leaves few visible, and back", async () => {
    const v = await connect(gw, id);
    const plot = model(v.doc, "cloud");
    const [xr, yr] = [plot.get<Model>("x_range"), plot.get<Model>("y_range")];
    await change(v, [[plot, "inner_width", 440], [plot, "inner_height", 340]]);
    const image = imageOf(v.doc, "cloud")!;
    expect(image.shape).toEqual([340, 440]);
    await change(v, [[xr, "start", 10], [xr, "end", 13], [yr, "start", 20], [yr, "end", 22]]);
    expect(imageOf(v.doc, "cloud")).toBeNull();
    const [xs, ys] = [columnOf(v.doc, "points", "a"), columnOf(v.doc, "points", "b")];
    const [fa, fb] = [columnOf(stored, "points", "a"), columnOf(stored, "points", "b")];
    const inside = [...fa.keys()].filter((i) => fa[i] >= 10 && fa[i] <= 13 && fb[i] >= 20 && fb[i] <= 22);
    expect(inside.length).toBeGreaterThan(0);
    expect(inside.length).toBeLessThanOrEqual(5000);
    expect(Array.from(xs)).toEqual(inside.map((i) => fa[i]));
    expect(Array.from(ys)).toEqual(inside.map((i) => fb[i]));
    await change(v, [[xr, "start", 0], [xr, "end", 100], [yr, "start", 0], [yr, "end", 100]]);
    expect(imageOf(v.doc, "cloud")!.counts.reduce((p, q) => p + q, 0)).toBe(N);
    expect(columnOf(v.doc, "points", "a")).toHaveLength(0);
    await v.client.close();
  });

  it("applies a stream into a large source to the stored columns and serves the new data downsampled", async () => {
    const v = await connect(gw, id);
    const swapped = v.client.next((m) => m.header.msgtype === "PATCH-DOC"
      && (m.content as { events: Array<{ kind: string }> }).events.some((e) => e.kind === "RootAdded"), 30_000);
    const source = model(v.doc, "series").id;
    const res = await fetch(`${gw.url}/api/v1/docs/${id}/stream`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ source, data: { t: [N], v: [1e6] } }),
    });
    expect(res.status).toBe(200);
    const after = Document.from_json(await (await fetch(`${gw.url}/api/v1/docs/${id}`)).json());
    expect(columnOf(after, "series", "t")).toHaveLength(N + 1);
    const m = await swapped;
    expect(bytesOf(m)).toBeLessThan(0.15 * 2 * FULL_BYTES);
    const pulled = await connect(gw, id);
    const y = columnOf(pulled.doc, "series", "v");
    expect(y.length).toBeLessThanOrEqual(2 * 800 + 2);
    expect(Math.max(...y)).toBe(1e6); // the new spike is in the view
    await Promise.all([v.client.close(), pulled.client.close()]);
  });
});
