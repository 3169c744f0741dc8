/**
 * stream-fanout: one published document (a ColumnDataSource of two float64 columns) streamed in batches of 1,000
 * points through the HTTP API (`POST /api/v1/docs/:id/stream`, the writer waiting for each acknowledgement) to 1,
 * 10 and 100 viewers connected over WebSockets through the gateway (a separate process, memory backend). Reports
 * updates/s delivered to all viewers together, the lag from a batch's POST to its arrival at each viewer (p50/p99),
 * and the bytes of one update on the wire (the float64 columns travel as binary buffers, not base64 JSON).
 * Baseline in the same run: a raw `ws` relay process forwarding the very same update frames from one writer to the
 * same number of viewers (bench/lib/broadcast-server.ts) — the cost of the network and the clients alone.
 *
 * `npx tsx bench/stream-fanout.ts` (`--no-record` only prints).
 */
import WebSocket from "ws";
import { ColumnDataSource, Document } from "../shared/index.ts";
import { Receiver, encodeMessage, pullDocReq, type Message } from "../shared/protocol/index.ts";
import { BokehTestClient, tokenFromPage } from "../test/helpers/bokeh-client.ts";
import { spawnBroadcastServer } from "./lib/broadcast-server.ts";
import { spawnGateway } from "./lib/gateway-process.ts";
import { fixtureApp } from "./lib/plothost.ts";
import { isMain, runAlone, type BenchResult } from "./lib/report.ts";
import { bytes, ms, now, percentile, ratio } from "./lib/stats.ts";

const BATCH = 1000;
const VIEWERS = [1, 10, 100];
/** Batches per viewer count; fewer for 100 viewers to keep the whole benchmark within its share of 5 minutes. */
const BATCHES: Record<number, number> = { 1: 150, 10: 100, 100: 40 };

interface Run {
  updatesPerS: number;
  lags: number[];
  bytesPerUpdate: number;
  buffers: number;
}

const batchOf = (i: number) => {
  const x = Array.from({ length: BATCH }, (_, k) => i * BATCH + k);
  return { x, y: x.map((v) => Math.sin(v / 100)) };
};

/** Viewers that note when each message arrives and how big it was. */
function arrivals(n: number) {
  return Array.from({ length: n }, () => ({ at: [] as number[], bytes: [] as number[], buffers: [] as number[] }));
}

async function plothost(gwPort: number, viewers: number, batches: number): Promise<Run> {
  const base = `http://127.0.0.1:${gwPort}`;
  const doc = new Document();
  const source = new ColumnDataSource({ data: { x: new Float64Array(0), y: new Float64Array(0) } });
  doc.add_root(source);
  const res = await fetch(`${base}/api/v1/docs?name=fanout`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(doc.to_json()) });
  if (res.status !== 201) throw new Error(`publish: HTTP ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  const html = await (await fetch(`${base}/doc/${id}`)).text();
  const clients: BokehTestClient[] = [];
  for (let v = 0; v < viewers; v++) {
    const c = await BokehTestClient.connect(`ws://127.0.0.1:${gwPort}/doc/${id}/ws`, tokenFromPage(html));
    await c.next((m) => m.header.msgtype === "ACK");
    // As BokehJS does: a viewer gets updates once it has pulled the document.
    const pull = pullDocReq();
    c.send(pull);
    await c.reply(pull.header.msgid, 30_000);
    clients.push(c);
  }
  const seen = arrivals(viewers);
  clients.forEach((c, v) => {
    let bytesIn = 0;
    c.ws.on("message", (data: Buffer) => void (bytesIn += data.length));
    c.ws.on("message", () => {
      const last = c.messages[c.messages.length - 1] as Message | undefined;
      if (last && last.header.msgtype === "PATCH-DOC" && seen[v].at.length < c.messages.filter((m) => m.header.msgtype === "PATCH-DOC").length) {
        seen[v].at.push(now());
        seen[v].bytes.push(bytesIn);
        seen[v].buffers.push(last.buffers.length);
        bytesIn = 0;
      }
    });
  });
  const sent: number[] = [];
  const t0 = now();
  for (let i = 0; i < batches; i++) {
    sent.push(now());
    const r = await fetch(`${base}/api/v1/docs/${id}/stream`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ source: source.id, data: batchOf(i), rollover: 100_000 }),
    });
    if (r.status !== 200) throw new Error(`stream: HTTP ${r.status} ${await r.text()}`);
    await r.arrayBuffer();
  }
  const deadline = now() + 60_000;
  while (seen.some((s) => s.at.length < batches) && now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  const end = Math.max(...seen.map((s) => s.at[s.at.length - 1] ?? now()));
  for (const c of clients) await c.close();
  const lags = seen.flatMap((s) => s.at.map((t, i) => t - sent[i]));
  const delivered = seen.reduce((a, s) => a + s.at.length, 0);
  return {
    updatesPerS: delivered / ((end - t0) / 1000), lags,
    bytesPerUpdate: percentile(seen.flatMap((s) => s.bytes), 50), buffers: percentile(seen.flatMap((s) => s.buffers), 50),
  };
}

/** The same frames plothost sent for one update, relayed by a raw ws process: network + clients only. */
async function baseline(port: number, frames: Array<string | Buffer>, viewers: number, batches: number): Promise<Run> {
  const seen = arrivals(viewers);
  const sockets: WebSocket[] = [];
  for (let v = 0; v < viewers; v++) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/view`, { perMessageDeflate: false });
    await new Promise((resolve, reject) => (ws.once("open", resolve), ws.once("error", reject)));
    let count = 0;
    let bytesIn = 0;
    ws.on("message", (data: Buffer) => {
      bytesIn += data.length;
      if (++count % frames.length === 0) {
        seen[v].at.push(now());
        seen[v].bytes.push(bytesIn);
        bytesIn = 0;
      }
    });
    sockets.push(ws);
  }
  const writer = new WebSocket(`ws://127.0.0.1:${port}/write?frames=${frames.length}`, { perMessageDeflate: false });
  await new Promise((resolve, reject) => (writer.once("open", resolve), writer.once("error", reject)));
  const acks: Array<() => void> = [];
  writer.on("message", () => acks.shift()?.());
  const sent: number[] = [];
  const t0 = now();
  for (let i = 0; i < batches; i++) {
    sent.push(now());
    const acked = new Promise<void>((resolve) => acks.push(resolve));
    for (const f of frames) writer.send(f, { binary: typeof f !== "string" });
    await acked;
  }
  const deadline = now() + 60_000;
  while (seen.some((s) => s.at.length < batches) && now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  const end = Math.max(...seen.map((s) => s.at[s.at.length - 1] ?? now()));
  writer.close();
  for (const s of sockets) s.close();
  const delivered = seen.reduce((a, s) => a + s.at.length, 0);
  return { updatesPerS: delivered / ((end - t0) / 1000), lags: seen.flatMap((s) => s.at.map((t, i) => t - sent[i])), bytesPerUpdate: percentile(seen.flatMap((s) => s.bytes), 50), buffers: 0 };
}

/** One real update's frames as a viewer receives them (captured from a plothost viewer). */
async function captureFrames(gwPort: number): Promise<Array<string | Buffer>> {
  const base = `http://127.0.0.1:${gwPort}`;
  const doc = new Document();
  const source = new ColumnDataSource({ data: { x: new Float64Array(0), y: new Float64Array(0) } });
  doc.add_root(source);
  const { id } = (await (await fetch(`${base}/api/v1/docs?name=capture`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(doc.to_json()) })).json()) as { id: string };
  const html = await (await fetch(`${base}/doc/${id}`)).text();
  const token = tokenFromPage(html);
  const ws = new WebSocket(`ws://127.0.0.1:${gwPort}/doc/${id}/ws`, ["bokeh", token]);
  const frames: Array<string | Buffer> = [];
  const receiver = new Receiver();
  let pulled: () => void = () => {};
  const ready = new Promise<void>((resolve) => (pulled = resolve));
  const got = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no PATCH-DOC within 30 s")), 30_000);
    ws.on("message", (data: Buffer, isBinary) => {
      const msg = receiver.consume(isBinary ? new Uint8Array(data) : data.toString("utf8"));
      if (frames.length > 0 || (!isBinary && data.toString("utf8").includes('"PATCH-DOC"'))) frames.push(isBinary ? Buffer.from(data) : data.toString("utf8"));
      if (msg?.header.msgtype === "PULL-DOC-REPLY") pulled();
      if (msg?.header.msgtype === "PATCH-DOC") {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  await new Promise((resolve) => ws.once("open", resolve));
  for (const f of encodeMessage(pullDocReq())) ws.send(f, { binary: typeof f !== "string" });
  await Promise.race([ready, new Promise((_r, reject) => setTimeout(() => reject(new Error("no PULL-DOC-REPLY within 30 s")), 30_000).unref())]);
  await fetch(`${base}/api/v1/docs/${id}/stream`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ source: source.id, data: batchOf(0) }) });
  await got;
  ws.close();
  return frames;
}

export async function run(): Promise<BenchResult> {
  const gw = await spawnGateway(["--backend", "memory", "--websocket-max-message-size", String(64 * 1024 * 1024), fixtureApp("whoami.ts")]);
  const relay = await spawnBroadcastServer();
  const table = [["viewers", "path", "updates/s delivered", "lag p50", "lag p99", "bytes per update", "binary buffers per update", "plothost ÷ raw (p99 lag)"]];
  try {
    const frames = await captureFrames(gw.port);
    for (const n of VIEWERS) {
      const p = await plothost(gw.port, n, BATCHES[n]);
      const b = await baseline(relay.port, frames, n, BATCHES[n]);
      table.push(
        [String(n), "raw ws relay (baseline)", b.updatesPerS.toFixed(0), ms(percentile(b.lags, 50)), ms(percentile(b.lags, 99)), bytes(b.bytesPerUpdate), "(same frames)", "1.00×"],
        [String(n), "plothost (HTTP stream API → gateway → viewers)", p.updatesPerS.toFixed(0), ms(percentile(p.lags, 50)), ms(percentile(p.lags, 99)), bytes(p.bytesPerUpdate), String(p.buffers), ratio(percentile(p.lags, 99), percentile(b.lags, 99))],
      );
    }
  } finally {
    await relay.close();
    await gw.close();
  }
  const json = JSON.stringify(batchOf(0)).length;
  return {
    name: "stream-fanout",
    title: `one published document, ${BATCH.toLocaleString("en")}-point batches (x, y float64) streamed to 1, 10, 100 viewers`,
    table,
    notes: [
      `Batches per run: ${VIEWERS.map((n) => `${BATCHES[n]} for ${n}`).join(", ")}; the writer posts one batch, waits for its 200, posts the next (rollover 100,000). Lag = POST start → the update's last frame at a viewer; updates/s = updates received by all viewers together ÷ (first POST → last arrival).`,
      `Bytes per update is what a viewer receives for one batch (header, metadata, content and buffer frames); the same batch as JSON numbers in the POST body is ${bytes(json)}, two float64 columns as raw bytes ${bytes(BATCH * 16)} (base64 JSON would add a third).`,
      "The baseline writer also waits for an acknowledgement (after the relay queued the frames to every viewer) before the next batch. Clients, gateway and relay share the 2 cores, so at 100 viewers the clients' own decoding competes with the server.",
    ],
  };
}

if (isMain(import.meta.url)) runAlone(() => run());
