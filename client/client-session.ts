import WebSocket from "ws";
import { Document, serializeEvents } from "../shared/index.ts";
import {
  Receiver, encodeMessage, pullDocReq, patchDocFromClient, generateSessionId, generateToken,
  type Message,
} from "../shared/protocol/index.ts";

/** Options of {@link pullSession}. */
export interface PullSessionOptions {
  /** The app's URL, e.g. `http://localhost:5006/sliders`. */
  url: string;
  /** The session to open; a new id by default. With `--sign-sessions` it must be signed (pass `secretKey`). */
  sessionId?: string;
  /** The server's secret key when it signs sessions: ids and tokens are then signed here, as bokeh.client does. */
  secretKey?: string;
  /** Query arguments for the app (`ctx.request.arguments`). */
  arguments?: Readonly<Record<string, string>>;
  headers?: Readonly<Record<string, string>>;
  /** Bound on connecting and on each request (default 15 s). */
  timeoutMs?: number;
}

export class ClientSessionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ClientSessionError";
  }
}

const bufferMap = (m: Message) => new Map(m.buffers.map((b) => [b.id, b.data]));

/**
 * A live session of an app, from a script or a site's server (Bokeh's `pull_session`): the session's document,
 * kept in sync both ways. Changes made here are sent as PATCH-DOC; `flush()` waits until the server acknowledged
 * all of them. Changes from the server (its callbacks, other viewers) are applied to `document`.
 */
export class ClientSession {
  private readonly receiver = new Receiver();
  private readonly pending = new Map<string, { resolve: (m: Message) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private doc: Document | null = null;
  private unsubscribe: (() => void) | null = null;
  private closedError: Error | null = null;

  private constructor(readonly id: string, private readonly ws: WebSocket, private readonly timeoutMs: number) {
    ws.on("message", (data, isBinary) => this.onFrame(data as Buffer, isBinary));
    ws.on("close", (code, reason) => {
      this.closedError = new ClientSessionError(`connection closed (${code}${reason.length ? ` ${reason}` : ""})`);
      for (const [, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(this.closedError);
      }
      this.pending.clear();
    });
  }

  get document(): Document {
    if (!this.doc) throw new ClientSessionError("the document has not been pulled yet");
    return this.doc;
  }

  /** Connects, waits for ACK, pulls the document. */
  static async open(opts: PullSessionOptions): Promise<ClientSession> {
    const timeoutMs = opts.timeoutMs ?? 15_000;
    const signed = opts.secretKey !== undefined;
    const sessionId = opts.sessionId ?? generateSessionId({ secretKey: opts.secretKey, signed });
    const token = generateToken(sessionId, { secretKey: opts.secretKey, signed });
    const app = new URL(opts.url);
    const wsUrl = new URL(`${app.pathname.replace(/\/+$/, "")}/ws`, app);
    wsUrl.protocol = app.protocol === "https:" ? "wss:" : "ws:";
    for (const [k, v] of Object.entries(opts.arguments ?? {})) wsUrl.searchParams.set(k, v);
    const ws = new WebSocket(wsUrl, ["bokeh", token], { headers: { ...opts.headers }, handshakeTimeout: timeoutMs });
    const session = new ClientSession(sessionId, ws, timeoutMs);
    const ack = session.expect((m) => m.header.msgtype === "ACK", "ACK");
    ack.catch(() => {}); // awaited below, once connected; a refused connection must not leave it unhandled
    await new Promise<void>((resolve, reject) => {
      ws.once("open", () => resolve());
      ws.once("unexpected-response", (_req, res) => session.abort(new ClientSessionError(`the server refused the session (HTTP ${res.statusCode})`), reject));
      ws.once("error", (err) => session.abort(new ClientSessionError(`could not connect to ${wsUrl.origin}: ${err.message}`, { cause: err }), reject));
    });
    await ack;
    const reply = await session.request(pullDocReq());
    session.doc = Document.from_json((reply.content as { doc: Parameters<typeof Document.from_json>[0] }).doc, bufferMap(reply));
    session.unsubscribe = session.doc.on_change((ev) => {
      if (ev.setter === session) return;
      const s = serializeEvents([ev], session.doc!, { threshold: 64 });
      session.request(patchDocFromClient(s.json, s.buffers)).catch(() => {});
    });
    return session;
  }

  /** Resolves once every change sent so far was acknowledged; rejects if the server refused one. */
  async flush(): Promise<void> {
    await Promise.all([...this.pending.values()].map((p) => new Promise<void>((resolve, reject) => {
      const { resolve: r0, reject: j0 } = p;
      p.resolve = (m) => { r0(m); resolve(); };
      p.reject = (e) => { j0(e); reject(e); };
    })));
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    if (this.ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      this.ws.once("close", () => resolve());
      this.ws.close(1000, "done");
    });
  }

  private waiters: Array<{ pred: (m: Message) => boolean; resolve: (m: Message) => void; timer: NodeJS.Timeout }> = [];

  /** A failed connect: stop every timer so nothing fires later, and report `err`. */
  private abort(err: Error, reject: (e: Error) => void): void {
    for (const w of this.waiters.splice(0)) clearTimeout(w.timer);
    this.ws.terminate();
    reject(err);
  }

  private expect(pred: (m: Message) => boolean, what: string): Promise<Message> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new ClientSessionError(`no ${what} from the server within ${this.timeoutMs} ms`)), this.timeoutMs);
      this.waiters.push({ pred, timer, resolve: (m) => { clearTimeout(timer); resolve(m); } });
    });
  }

  private request(msg: Message): Promise<Message> {
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(msg.header.msgid);
        reject(new ClientSessionError(`no reply to ${msg.header.msgtype} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(msg.header.msgid, { resolve, reject, timer });
      for (const frame of encodeMessage(msg)) this.ws.send(frame, { binary: typeof frame !== "string" });
    });
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    const msg = this.receiver.consume(isBinary ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : data.toString("utf8"));
    if (!msg) return;
    const reqid = msg.header.reqid;
    const p = reqid !== undefined ? this.pending.get(reqid) : undefined;
    if (p) {
      this.pending.delete(reqid!);
      clearTimeout(p.timer);
      if (msg.header.msgtype === "ERROR") p.reject(new ClientSessionError(`the server refused the request: ${(msg.content as { text?: string }).text ?? "error"}`));
      else p.resolve(msg);
      return;
    }
    if (msg.header.msgtype === "PATCH-DOC" && this.doc) {
      void this.doc.apply_json_patch(msg.content as { events: unknown[] }, bufferMap(msg), this);
      return;
    }
    const w = this.waiters.find((x) => x.pred(msg));
    if (w) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve(msg);
    }
  }
}

/** Opens a live session of an app and pulls its document (Bokeh's `pull_session`). */
export function pullSession(opts: PullSessionOptions): Promise<ClientSession> {
  return ClientSession.open(opts);
}
