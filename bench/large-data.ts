/**
 * large-data: a 1M- and a 10M-point line and scatter drawn from a `DownsampledSource`, against the same data in a
 * plain ColumnDataSource (the full columns sent). Measured in process, on the worker's real session and protocol
 * code (ServerSession + ProtocolConnection over a socket that records every frame it is given): the bytes of the
 * initial document (PULL-DOC reply) and of one data update, and the time from a range change (a client PATCH-DOC
 * setting x_range/y_range start and end, as BokehJS sends on pan and zoom) to the last frame of the PATCH-DOC
 * carrying the new view. The baseline's update is the full columns sent again (what an app without downsampling
 * sends when its data changes); with the full columns the browser needs no update per zoom, but it must first
 * receive them all. Network time is not included: the "at 100 Mbit/s" column converts bytes to transfer time.
 * The coalescing delay is set to 0 here (the default, 30 ms, adds at most that much to each update).
 *
 * Then the same for a line in real BokehJS in headless Chromium (bench/lib/browser-render.ts): bytes received and
 * time from a range change to the updated render, against the full columns in a plain ColumnDataSource.
 *
 * `npx tsx bench/large-data.ts` (add `--no-record` to only print); `--quick` runs 1M only; `--no-browser` skips the
 * browser part.
 */
import { ColumnDataSource, Document, DownsampledSource, Model, figure, type DownsampledSourceInit } from "../shared/index.ts";
import { encodeMessage, patchDocFromClient, pullDocReq, type Message } from "../shared/protocol/index.ts";
import { ProtocolConnection, type FrameSocket } from "../shared/session/protocol-connection.ts";
import { ServerSession } from "../shared/session/server-session.ts";
import { measureInBrowser } from "./lib/browser-render.ts";
import { isMain, runAlone, type BenchResult } from "./lib/report.ts";
import { bytes, ms, now, percentile, ratio } from "./lib/stats.ts";

const RANGE_CHANGES = 20;
const FULL_UPDATES = 3;

/** One message as sent: its type, the event kinds of a PATCH-DOC, its size over all frames and when it ended. */
interface Sent {
  msgtype: string;
  kinds: string[];
  bytes: number;
  at: number;
  cpu: number;
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** A FrameSocket that reassembles what the server sends just enough to know where each message ends. */
class RecordingSocket implements FrameSocket {
  private current: { msgtype: string; buffers: number; frames: number; bytes: number; content: string } | null = null;
  private waiters: Array<{ pred: (m: Sent) => boolean; resolve: (m: Sent) => void }> = [];

  send(frame: string | Uint8Array): void {
    const size = typeof frame === "string" ? Buffer.byteLength(frame) : frame.byteLength;
    if (this.current === null) {
      const header = JSON.parse(frame as string) as { msgtype: string; num_buffers?: number };
      this.current = { msgtype: header.msgtype, buffers: header.num_buffers ?? 0, frames: 1, bytes: size, content: "" };
      return;
    }
    const m = this.current;
    m.frames += 1;
    m.bytes += size;
    if (m.frames === 3) m.content = frame as string;
    if (m.frames < 3 + 2 * m.buffers) return;
    this.current = null;
    const kinds = m.msgtype === "PATCH-DOC" ? (JSON.parse(m.content) as { events: Array<{ kind: string }> }).events.map((e) => e.kind) : [];
    const sent: Sent = { msgtype: m.msgtype, kinds, bytes: m.bytes, at: now(), cpu: cpuMs() };
    const waiter = this.waiters.find((w) => w.pred(sent));
    if (waiter) {
      this.waiters = this.waiters.filter((w) => w !== waiter);
      waiter.resolve(sent);
    }
  }

  close(): void {}

  /** The next message matching `pred` (registered before the request that causes it is sent). */
  next(pred: (m: Sent) => boolean): Promise<Sent> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no such message within 120 s")), 120_000);
      this.waiters.push({ pred, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }
}

type Kind = "line" | "scatter";
interface Columns {
  x: Float64Array;
  y: Float64Array;
}

/** A random walk (line; x sorted) or Gaussian clusters (scatter), as typed arrays. */
function makeData(kind: Kind, n: number): Columns {
  let seed = 12345;
  const rand = (): number => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 4294967296;
  };
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  let level = 0;
  for (let i = 0; i < n; i++) {
    if (kind === "line") {
      level += rand() - 0.5;
      x[i] = i;
      y[i] = level;
    } else {
      const r = Math.sqrt(-2 * Math.log(1 - rand())) * (1 + (i % 3));
      const a = 2 * Math.PI * rand();
      x[i] = (i % 3) * 4 + r * Math.cos(a);
      y[i] = r * Math.sin(a);
    }
  }
  return { x, y };
}

/** A session on `doc` built by `app`, with one connection that has pulled the document. */
async function openSession(app: (doc: Document) => void): Promise<{ session: ServerSession; conn: ProtocolConnection; wire: RecordingSocket; pull: Sent; pullMs: number }> {
  const session = new ServerSession("bench", new Document(), { binaryThresholdBytes: 64, onCallbackError: (err) => console.error(err) });
  await session.withDocument(app);
  await new Promise((resolve) => setImmediate(resolve)); // a DownsampledSource binds in a microtask after add_root
  const wire = new RecordingSocket();
  const conn = new ProtocolConnection(wire, session, { maxMessageBytes: 20 * 1024 * 1024, binaryThresholdBytes: 64 });
  const t0 = now();
  const pull = await send(conn, wire, pullDocReq(), (m) => m.msgtype === "PULL-DOC-REPLY");
  return { session, conn, wire, pull, pullMs: pull.at - t0 };
}

function send(conn: ProtocolConnection, wire: RecordingSocket, msg: Message, pred: (m: Sent) => boolean): Promise<Sent> {
  const reply = wire.next(pred);
  for (const frame of encodeMessage(msg)) conn.handleFrame(frame);
  return reply;
}

function plotOf(kind: Kind, doc: Document, source: Model): Model {
  const p = figure({ width: 1000, height: 600 });
  if (kind === "line") p.line({ x: "x", y: "y", source });
  else p.scatter({ x: "x", y: "y", source });
  doc.add_root(p);
  return p;
}

interface Measured {
  pullBytes: number;
  pullMs: number;
  updateBytes: number[];
  updateMs: number[];
  updateCpu: number[];
}

/** Downsampled: PULL-DOC, then RANGE_CHANGES zooms and pans sent as BokehJS sends them, each timed to its view. */
async function measureDownsampled(kind: Kind, data: Columns): Promise<Measured> {
  let plot: Model | null = null;
  const init: DownsampledSourceInit = { data: { x: data.x, y: data.y }, debounce_ms: 0, max_points: 5000 };
  const { session, conn, wire, pull, pullMs } = await openSession((doc) => {
    plot = plotOf(kind, doc, new DownsampledSource(init));
  });
  const p = plot as unknown as Model;
  // BokehJS reports the frame size after its first layout; the bench's plot keeps it.
  await send(conn, wire, patchDocFromClient({ events: [change(p, "inner_width", 950), change(p, "inner_height", 560)] }), isView);
  const xr = p.get<Model>("x_range");
  const yr = p.get<Model>("y_range");
  const [x0, x1] = [xr.get<number>("start"), xr.get<number>("end")];
  const [y0, y1] = [yr.get<number>("start"), yr.get<number>("end")];
  const out: Measured = { pullBytes: pull.bytes, pullMs, updateBytes: [], updateMs: [], updateCpu: [] };
  for (let k = 0; k < RANGE_CHANGES; k++) {
    // Zoom in step by step towards the middle, panning a little each time (never the same view twice).
    const f = 1 / 1.25 ** (k + 1);
    const cx = x0 + (x1 - x0) * (0.5 + 0.01 * k);
    const cy = y0 + (y1 - y0) * 0.5;
    const events = [change(xr, "start", cx - ((x1 - x0) * f) / 2), change(xr, "end", cx + ((x1 - x0) * f) / 2)];
    if (kind === "scatter") events.push(change(yr, "start", cy - ((y1 - y0) * f) / 2), change(yr, "end", cy + ((y1 - y0) * f) / 2));
    const t0 = now();
    const c0 = cpuMs();
    const view = await send(conn, wire, patchDocFromClient({ events }), isView);
    out.updateMs.push(view.at - t0);
    out.updateCpu.push(view.cpu - c0);
    out.updateBytes.push(view.bytes);
  }
  await session.destroy();
  return out;
}

/** Full columns: PULL-DOC, then the full columns sent again as one data update (FULL_UPDATES times). */
async function measureFull(kind: Kind, data: Columns): Promise<Measured> {
  let source: ColumnDataSource | null = null;
  const { session, wire, pull, pullMs } = await openSession((doc) => {
    source = new ColumnDataSource({ data: { x: data.x, y: data.y } });
    plotOf(kind, doc, source);
  });
  const out: Measured = { pullBytes: pull.bytes, pullMs, updateBytes: [], updateMs: [], updateCpu: [] };
  for (let k = 0; k < FULL_UPDATES; k++) {
    const sent = wire.next(isView);
    const t0 = now();
    const c0 = cpuMs();
    await session.withDocument(() => {
      (source as unknown as ColumnDataSource).data = { x: data.x, y: data.y };
    });
    const view = await sent;
    out.updateMs.push(view.at - t0);
    out.updateCpu.push(view.cpu - c0);
    out.updateBytes.push(view.bytes);
  }
  await session.destroy();
  return out;
}

const change = (model: Model, attr: string, value: number) => ({ kind: "ModelChanged", model: { id: model.id }, attr, new: value });
const isView = (m: Sent): boolean => m.msgtype === "PATCH-DOC" && m.kinds.includes("ColumnDataChanged");
const median = (values: number[]): number => percentile(values, 50);
/** Seconds to move `n` bytes at 100 Mbit/s, as a readable duration. */
const at100Mbit = (n: number): string => ms((n * 8) / 100e6 * 1000);

export async function run(opts: { sizes?: number[] } = {}): Promise<BenchResult> {
  const sizes = opts.sizes ?? (process.argv.includes("--quick") ? [1_000_000] : [1_000_000, 10_000_000]);
  const table: string[][] = [[
    "points", "glyph", "what", "downsampled", "full columns", "ratio (full / downsampled)", "downsampled at 100 Mbit/s", "full at 100 Mbit/s",
  ]];
  const notes: string[] = [];
  for (const n of sizes) {
    for (const kind of ["line", "scatter"] as const) {
      const data = makeData(kind, n);
      const down = await measureDownsampled(kind, data);
      const full = await measureFull(kind, data);
      const label = `${(n / 1e6).toFixed(0)}M`;
      const dBytes = median(down.updateBytes);
      const fBytes = median(full.updateBytes);
      table.push(
        [label, kind, "initial document (PULL-DOC reply)", bytes(down.pullBytes), bytes(full.pullBytes), ratio(full.pullBytes, down.pullBytes), at100Mbit(down.pullBytes), at100Mbit(full.pullBytes)],
        [label, kind, "one data update, bytes (median)", bytes(dBytes), bytes(fBytes), ratio(fBytes, dBytes), at100Mbit(dBytes), at100Mbit(fBytes)],
        [label, kind, "range change → update sent, wall p50", ms(median(down.updateMs)), ms(median(full.updateMs)), ratio(median(full.updateMs), median(down.updateMs)), "", ""],
        [label, kind, "same, worker CPU p50", ms(median(down.updateCpu)), ms(median(full.updateCpu)), ratio(median(full.updateCpu), median(down.updateCpu)), "", ""],
      );
      notes.push(`${label} ${kind}: downsampled range change → update wall p95 ${ms(percentile(down.updateMs, 95))} over ${RANGE_CHANGES} zooms/pans; full columns ${FULL_UPDATES} updates.`);
    }
  }
  notes.push(
    "In process, no network: bytes are the protocol frames the worker writes to its WebSocket; the 100 Mbit/s columns add the transfer time.",
    "Full-columns \"update\" = the whole columns sent again (an app without downsampling changing its data); a zoom then needs no update, but the browser must hold and draw every point.",
    "Scatter views switch between an image of counts per pixel (950 × 560 bins, 1–4 bytes each) and the raw points (≤ 5,000 visible) as the zoom deepens.",
  );
  const more = process.argv.includes("--no-browser") ? [] : [{
    title: "In the browser: a line in real BokehJS (headless Chromium), range change → updated render",
    ...(await measureInBrowser(sizes)),
  }];
  return { name: "large-data", title: "DownsampledSource vs full columns: bytes and range-change-to-update time", table, notes, more };
}

if (isMain(import.meta.url)) runAlone(() => run());
