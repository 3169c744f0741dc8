import WebSocket from "ws";
import { Receiver, encodeMessage, type Message } from "../shared/protocol/index.ts";
import { PlothostClientError, ServerUnavailableError, errorFromResponse } from "./errors.ts";

/** Options of {@link ProtocolSocket.connect}. */
export interface ProtocolSocketOptions {
  /** `ws://` or `wss://` URL of the session's socket (`.../ws`). */
  readonly url: string;
  /** The Bokeh session token, sent as the subprotocol pair `bokeh, <token>`. */
  readonly token: string;
  /** Extra upgrade headers, e.g. `Authorization: Bearer pht_...`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Bound on connecting, on the ACK and on each request. */
  readonly timeoutMs: number;
}

/** The server answered a request with a protocol ERROR: the connection is still usable. */
export class ProtocolRequestError extends PlothostClientError {}

/** How the socket ended: the WebSocket close code and reason (1006 when the connection just dropped). */
export interface SocketClosed {
  readonly code: number;
  readonly reason: string;
}

interface Pending {
  resolve: (m: Message) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One client connection speaking the Bokeh server protocol: connects, waits for ACK, matches replies to requests
 * by `reqid`, and hands every other message (the server's PATCH-DOCs) to `onMessage`. No document logic: the
 * app-session client and the published-document client build on it. Requests pending when the connection ends
 * fail with a {@link ServerUnavailableError}.
 */
export class ProtocolSocket {
  /** Unsolicited messages (PATCH-DOC from the server), in order. */
  onMessage: (msg: Message) => void = () => {};
  /** Resolves once the connection has ended, however it ended. */
  readonly closed: Promise<SocketClosed>;
  private readonly receiver = new Receiver();
  private readonly pending = new Map<string, Pending>();
  private ended: SocketClosed | null = null;

  private constructor(private readonly ws: WebSocket, private readonly timeoutMs: number) {
    this.closed = new Promise((resolve) => {
      ws.on("close", (code, reason) => {
        this.ended = { code, reason: reason.toString() };
        const err = new ServerUnavailableError(`the connection closed (${code}${this.ended.reason ? ` ${this.ended.reason}` : ""})`, { code: "connection_closed" });
        for (const p of this.pending.values()) {
          clearTimeout(p.timer);
          p.reject(err);
        }
        this.pending.clear();
        resolve(this.ended);
      });
    });
    ws.on("message", (data, isBinary) => {
      const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      let msg: Message | null;
      try {
        msg = this.receiver.consume(isBinary ? new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) : buf.toString("utf8"));
      } catch {
        ws.close(1002, "malformed message");
        return;
      }
      if (msg) this.dispatch(msg);
    });
  }

  /** Opens the connection and waits for the server's ACK. HTTP refusals become typed errors with the server's message. */
  static connect(opts: ProtocolSocketOptions): Promise<ProtocolSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(opts.url, ["bokeh", opts.token], { headers: { ...opts.headers }, handshakeTimeout: opts.timeoutMs, perMessageDeflate: false });
      const socket = new ProtocolSocket(ws, opts.timeoutMs);
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ws.terminate();
        reject(err);
      };
      const timer = setTimeout(() => fail(new ServerUnavailableError(`no ACK from ${new URL(opts.url).origin} within ${opts.timeoutMs} ms`, { code: "timeout" })), opts.timeoutMs);
      socket.onMessage = (m) => {
        if (m.header.msgtype !== "ACK" || settled) return;
        settled = true;
        clearTimeout(timer);
        socket.onMessage = () => {};
        resolve(socket);
      };
      ws.once("unexpected-response", (_req, res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => void (body += c));
        res.on("error", () => {});
        res.on("end", () => {
          let parsed: unknown = null;
          try {
            parsed = JSON.parse(body);
          } catch {
            // not JSON: the status alone decides
          }
          fail(errorFromResponse(res.statusCode ?? 0, parsed, "opening the session"));
        });
      });
      ws.on("error", (err) => fail(new ServerUnavailableError(`could not connect to ${new URL(opts.url).origin}: ${err.message}`, { code: "server_unreachable", cause: err })));
      void socket.closed.then((c) => fail(new ServerUnavailableError(`the connection closed before the server's ACK (${c.code})`, { code: "connection_closed" })));
    });
  }

  /** Whether the connection is still open. */
  get open(): boolean {
    return this.ended === null && this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends a request and resolves with its reply; a protocol ERROR rejects with {@link ProtocolRequestError}. */
  request(msg: Message): Promise<Message> {
    if (!this.open) {
      return Promise.reject(new ServerUnavailableError("the connection is closed", { code: "connection_closed" }));
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(msg.header.msgid);
        reject(new ServerUnavailableError(`no reply to ${msg.header.msgtype} within ${this.timeoutMs} ms`, { code: "timeout" }));
      }, this.timeoutMs);
      this.pending.set(msg.header.msgid, { resolve, reject, timer });
      for (const frame of encodeMessage(msg)) this.ws.send(frame, { binary: typeof frame !== "string" });
    });
  }

  /** Closes the connection (normal closure) and waits until it is closed. */
  async close(code = 1000, reason = "done"): Promise<SocketClosed> {
    if (this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    else if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code, reason);
    return this.closed;
  }

  /** Drops the connection at once without a closing handshake (what a network failure looks like). */
  terminate(): void {
    this.ws.terminate();
  }

  private dispatch(msg: Message): void {
    const reqid = msg.header.reqid;
    const p = reqid !== undefined ? this.pending.get(reqid) : undefined;
    if (!p) return this.onMessage(msg);
    this.pending.delete(reqid!);
    clearTimeout(p.timer);
    if (msg.header.msgtype === "ERROR") {
      const text = (msg.content as { text?: string }).text ?? "error";
      p.reject(new ProtocolRequestError(`the server refused the request: ${text}`, { code: "protocol_error" }));
    } else {
      p.resolve(msg);
    }
  }
}
