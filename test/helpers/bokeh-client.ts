import WebSocket from "ws";
import { Receiver, encodeMessage, type Message } from "../../shared/protocol/index.ts";

/**
 * A small Node client of the Bokeh server protocol for tests: connects with the `bokeh, <token>` subprotocol,
 * collects every message, and lets a test wait for the next message matching a predicate (bounded).
 */
export class BokehTestClient {
  readonly messages: Message[] = [];
  private readonly receiver = new Receiver();
  private waiters: Array<{ pred: (m: Message) => boolean; resolve: (m: Message) => void; from: number }> = [];
  private cursor = 0;
  readonly closed: Promise<{ code: number; reason: string }>;
  /** The headers of the server's handshake response (101). */
  upgradeHeaders: Record<string, string | string[] | undefined> = {};

  private constructor(readonly ws: WebSocket) {
    ws.once("upgrade", (res) => void (this.upgradeHeaders = res.headers));
    ws.on("message", (data, isBinary) => {
      const buf = Buffer.isBuffer(data) ? data : Buffer.concat(data as Buffer[]);
      const msg = this.receiver.consume(isBinary ? new Uint8Array(buf) : buf.toString("utf8"));
      if (msg) this.push(msg);
    });
    this.closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static connect(url: string, token: string, headers: Record<string, string> = {}): Promise<BokehTestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, ["bokeh", token], { headers });
      const client = new BokehTestClient(ws);
      ws.once("open", () => resolve(client));
      ws.once("unexpected-response", (_req, res) => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
      ws.once("error", reject);
    });
  }

  send(msg: Message): void {
    for (const frame of encodeMessage(msg)) this.ws.send(frame, { binary: typeof frame !== "string" });
  }

  /** The next message (after those already taken) matching `pred`; fails after `timeoutMs`. */
  next(pred: (m: Message) => boolean = () => true, timeoutMs = 10_000): Promise<Message> {
    for (let i = this.cursor; i < this.messages.length; i++) {
      if (pred(this.messages[i])) {
        this.cursor = i + 1;
        return Promise.resolve(this.messages[i]);
      }
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ pred, from: this.cursor, resolve: (m) => { clearTimeout(timer); resolve(m); } });
    });
  }

  /** Waits for the reply to request `msgid`. */
  reply(msgid: string, timeoutMs?: number): Promise<Message> {
    return this.next((m) => m.header.reqid === msgid, timeoutMs);
  }

  close(): Promise<{ code: number; reason: string }> {
    this.ws.close(1000, "done");
    return this.closed;
  }

  private push(msg: Message): void {
    this.messages.push(msg);
    const idx = this.messages.length - 1;
    for (const w of [...this.waiters]) {
      if (idx >= w.from && w.pred(msg)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        this.cursor = idx + 1;
        w.resolve(msg);
        return;
      }
    }
  }
}

/** Pulls the session token out of a session page's render items. */
export function tokenFromPage(html: string): string {
  const m = /"token":"([^"]+)"/.exec(html);
  if (!m) throw new Error("no token in page");
  return m[1];
}
