import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import WebSocket from "ws";
import { parseGatewayConfig } from "../../shared/config/index.ts";
import { createLogger } from "../../shared/logging/create-logger.ts";
import { HEALTH_PATH, Receiver, encodeMessage, patchDocFromClient, pullDocReq, type Message } from "../../shared/protocol/index.ts";
import { createGateway, type Gateway } from "../../gateway/src/app.ts";
import type { Sandbox } from "../../gateway/src/sandbox/index.ts";
import { now } from "./stats.ts";

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const fixtureApp = (name: string): string => path.join(projectRoot, "test", "fixtures", "apps", name);
export const demoApp = path.join(projectRoot, "apps", "demo.ts");

export type RunningGateway = Gateway & { port: number; url: string; dataDir: string };

/**
 * A real gateway on an ephemeral port (like test/helpers' `startGateway`), optionally with a sandbox made once by
 * the caller so that repeated starts do not re-probe bubblewrap. `close()` also removes its data directory.
 */
export async function startPlothost(args: string[] = [], opts: { sandbox?: Sandbox; dataDir?: string } = {}): Promise<RunningGateway> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "plothost-bench-"));
  const config = parseGatewayConfig(["--port", "0", "-D", dataDir, ...args], {}, projectRoot);
  const gateway = await createGateway(config, createLogger({ level: "silent" }), { sandbox: opts.sandbox });
  const { port } = await gateway.listen();
  const close = gateway.close;
  return Object.assign(gateway, {
    port, url: `http://127.0.0.1:${port}`, dataDir,
    close: async () => {
      await close();
      if (!opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/** Where a session is opened: through the gateway's TCP port, or straight at the worker's Unix socket. */
export interface Target {
  readonly label: string;
  /** `http.request` options that reach the server (host/port or socketPath) plus a keep-alive agent. */
  readonly http: http.RequestOptions;
  /** The WebSocket URL of the app (`ws://...` or `ws+unix://<socket>:/<app>/ws`). */
  readonly wsUrl: (app: string) => string;
}

/** A keep-alive agent whose idle sockets close after 3 s, before Node servers' default 5 s keep-alive timeout. */
function keepAliveAgent(maxSockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets, timeout: 3000 });
}

export function gatewayTarget(gw: { port: number }, maxSockets = 128): Target {
  return {
    label: "gateway",
    http: { host: "127.0.0.1", port: gw.port, agent: keepAliveAgent(maxSockets) },
    wsUrl: (app) => `ws://127.0.0.1:${gw.port}/${app}/ws`,
  };
}

export function directTarget(sup: { socketPath: string }, maxSockets = 128): Target {
  return {
    label: "direct to worker socket",
    http: { socketPath: sup.socketPath, agent: keepAliveAgent(maxSockets) },
    wsUrl: (app) => `ws+unix://${sup.socketPath}:/${app}/ws`,
  };
}

/**
 * GET `pathname` on the target; resolves with status and body (bounded by `timeoutMs`). A request that fails
 * with ECONNRESET on a reused keep-alive socket (the server closed it as idle just as it was reused) is retried
 * once on a fresh one, as Node's documentation advises.
 */
export function httpGet(target: Target, pathname: string, timeoutMs = 10_000, retried = false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ ...target.http, path: pathname, method: "GET", timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${pathname} timed out after ${timeoutMs} ms`)));
    req.on("error", (err: NodeJS.ErrnoException) => {
      if (req.reusedSocket && err.code === "ECONNRESET" && !retried) resolve(httpGet(target, pathname, timeoutMs, true));
      else reject(err);
    });
    req.end();
  });
}

export function tokenFromPage(html: string): string {
  const m = /"token":"([^"]+)"/.exec(html);
  if (!m) throw new Error(`no token in page: ${html.slice(0, 200)}`);
  return m[1];
}

/**
 * A lean Bokeh protocol client for benchmarks: decodes incoming frames into messages and hands each to whoever
 * waits for it. Unlike the test client it keeps no history.
 */
export class BenchClient {
  private readonly receiver = new Receiver();
  private readonly waiters: Array<{ pred: (m: Message) => boolean; resolve: (m: Message) => void; reject: (e: Error) => void }> = [];
  private readonly backlog: Message[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      const msg = this.receiver.consume(isBinary ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : data.toString("utf8"));
      if (msg) this.deliver(msg);
    });
    this.closed = new Promise((resolve) => ws.on("close", (code, reason) => {
      for (const w of this.waiters.splice(0)) w.reject(new Error(`socket closed (${code})`));
      resolve({ code, reason: reason.toString() });
    }));
  }

  static connect(url: string, token: string, timeoutMs = 10_000): Promise<BenchClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, ["bokeh", token], { perMessageDeflate: false, handshakeTimeout: timeoutMs });
      const client = new BenchClient(ws);
      ws.once("open", () => resolve(client));
      ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once("error", reject);
    });
  }

  send(msg: Message): void {
    for (const frame of encodeMessage(msg)) this.ws.send(frame, { binary: typeof frame !== "string" });
  }

  /** The next message matching `pred` (messages that match no waiter are kept until one asks for them). */
  next(pred: (m: Message) => boolean = () => true, timeoutMs = 10_000): Promise<Message> {
    const i = this.backlog.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.backlog.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no matching message within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        pred,
        resolve: (m: Message) => { clearTimeout(timer); resolve(m); },
        reject: (e: Error) => { clearTimeout(timer); reject(e); },
      };
      this.waiters.push(waiter);
    });
  }

  reply(msgid: string, timeoutMs?: number): Promise<Message> {
    return this.next((m) => m.header.reqid === msgid, timeoutMs);
  }

  /** Drops messages nobody waited for (e.g. periodic PATCH-DOCs), so the backlog stays small. */
  dropBacklog(): void {
    this.backlog.length = 0;
  }

  close(): Promise<{ code: number; reason: string }> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000, "done");
    return this.closed;
  }

  private deliver(msg: Message): void {
    const w = this.waiters.findIndex((x) => x.pred(msg));
    if (w >= 0) this.waiters.splice(w, 1)[0].resolve(msg);
    else if (this.backlog.length < 1000) this.backlog.push(msg);
  }
}

/** GET the app page, connect the WebSocket with its token, wait for ACK, PULL-DOC; returns the open client. */
export async function openSession(target: Target, app: string): Promise<{ client: BenchClient; doc: { roots: unknown[] } }> {
  const page = await httpGet(target, `/${app}`);
  if (page.status !== 200) throw new Error(`GET /${app}: HTTP ${page.status}`);
  const client = await BenchClient.connect(target.wsUrl(app), tokenFromPage(page.body));
  try {
    const ack = await client.next();
    if (ack.header.msgtype !== "ACK") throw new Error(`first message was ${ack.header.msgtype}, not ACK`);
    const req = pullDocReq();
    client.send(req);
    const reply = await client.reply(req.header.msgid);
    if (reply.header.msgtype !== "PULL-DOC-REPLY") throw new Error(`PULL-DOC-REQ answered with ${reply.header.msgtype}`);
    return { client, doc: (reply.content as { doc: { roots: unknown[] } }).doc };
  } catch (err) {
    await client.close();
    throw err;
  }
}

/**
 * Round trips on a session of the echo app (test/fixtures/apps/echo.ts): sends PATCH-DOC `in.value = k`, waits for
 * the server callback's PATCH-DOC `out.value = k` and resolves with the milliseconds that took; the echo and the
 * OK answering the patch are checked.
 */
export function echoRoundTrip(session: { client: BenchClient; doc: { roots: unknown[] } }): (k: number) => Promise<number> {
  const { client } = session;
  const models = modelsIn(session.doc.roots);
  const input = models.find((m) => m.attributes.name === "in")!.id;
  const output = models.find((m) => m.attributes.name === "out")!.id;
  return async (k) => {
    const patch = patchDocFromClient({ events: [{ kind: "ModelChanged", model: { id: input }, attr: "value", new: k }] });
    const t0 = now();
    const echoed = client.next((m) => m.header.msgtype === "PATCH-DOC");
    const ok = client.reply(patch.header.msgid);
    client.send(patch);
    const msg = await echoed;
    const t = now() - t0;
    const ev = (msg.content as { events: Array<{ model: { id: string }; new: unknown }> }).events[0];
    if (ev?.model.id !== output || ev.new !== k) throw new Error(`unexpected echo ${JSON.stringify(msg.content)}`);
    if ((await ok).header.msgtype !== "OK") throw new Error("PATCH-DOC not answered with OK");
    return t;
  };
}

/** Every model written in full anywhere inside a JSON value. */
export function modelsIn(value: unknown, out: Array<{ name: string; id: string; attributes: Record<string, unknown> }> = []) {
  if (Array.isArray(value)) for (const v of value) modelsIn(v, out);
  else if (value && typeof value === "object") {
    const o = value as { type?: unknown; name?: unknown; id?: unknown; attributes?: Record<string, unknown> };
    if (o.type === "object" && typeof o.id === "string" && typeof o.name === "string") {
      out.push({ name: o.name, id: o.id, attributes: o.attributes ?? {} });
    }
    for (const v of Object.values(value)) modelsIn(v, out);
  }
  return out;
}

/** Runs `count` tasks with at most `concurrency` at a time; resolves with each task's result in order. */
export async function pool<T>(count: number, concurrency: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return results;
}

/** How many sessions the worker behind `socketPath` holds, from its health endpoint (on its socket only). */
export async function workerSessionCount(socketPath: string): Promise<number> {
  const res = await httpGet({ label: "health", http: { socketPath }, wsUrl: () => "" }, HEALTH_PATH);
  if (res.status !== 200) throw new Error(`health endpoint: HTTP ${res.status}`);
  return (JSON.parse(res.body) as { sessions: number }).sessions;
}

/** Polls `check` every `everyMs` until it returns true; throws after `timeoutMs` with `what`. */
export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 30_000, everyMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** Opens `count` sessions (`concurrency` at a time), each pulled and then closed. */
export async function churnSessions(target: Target, app: string, count: number, concurrency = 50): Promise<void> {
  await pool(count, concurrency, async () => {
    const { client } = await openSession(target, app);
    await client.close();
  });
}
