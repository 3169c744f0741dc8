import { Document, serializeEvents } from "../shared/index.ts";
import { pullDocReq, patchDocFromClient, generateSessionId, generateToken, type Message } from "../shared/protocol/index.ts";
import { PlothostClientError } from "./errors.ts";
import { ProtocolSocket } from "./protocol-socket.ts";

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

export const bufferMap = (m: Message) => new Map(m.buffers.map((b) => [b.id, b.data]));

/** The `ws(s)://.../ws` URL of the session socket of a page at `pageUrl`, with `args` as query arguments. */
export function socketUrl(pageUrl: string, args: Readonly<Record<string, string>> = {}): string {
  const page = new URL(pageUrl);
  const ws = new URL(`${page.pathname.replace(/\/+$/, "")}/ws`, page);
  ws.protocol = page.protocol === "https:" ? "wss:" : "ws:";
  for (const [k, v] of page.searchParams) ws.searchParams.set(k, v);
  for (const [k, v] of Object.entries(args)) ws.searchParams.set(k, v);
  return ws.toString();
}

/**
 * A live session of an app, from a script or a site's server (Bokeh's `pull_session`): the session's document,
 * kept in sync both ways. Changes made here are sent as PATCH-DOC; `flush()` waits until the server acknowledged
 * all of them. Changes from the server (its callbacks, other viewers) are applied to `document`.
 */
export class ClientSession {
  private readonly inFlight = new Set<Promise<unknown>>();
  private unsubscribe: (() => void) | null = null;

  private constructor(readonly id: string, private readonly socket: ProtocolSocket, readonly document: Document) {}

  /** Connects, waits for ACK, pulls the document. */
  static async open(opts: PullSessionOptions): Promise<ClientSession> {
    const timeoutMs = opts.timeoutMs ?? 15_000;
    const signed = opts.secretKey !== undefined;
    const sessionId = opts.sessionId ?? generateSessionId({ secretKey: opts.secretKey, signed });
    const token = generateToken(sessionId, { secretKey: opts.secretKey, signed });
    let socket: ProtocolSocket;
    try {
      socket = await ProtocolSocket.connect({ url: socketUrl(opts.url, opts.arguments), token, headers: opts.headers, timeoutMs });
    } catch (err) {
      const status = err instanceof PlothostClientError ? err.status : null;
      throw new ClientSessionError(status !== null ? `the server refused the session (HTTP ${status}): ${(err as Error).message}` : (err as Error).message, { cause: err });
    }
    const queued: Message[] = [];
    socket.onMessage = (m) => void queued.push(m);
    let reply: Message;
    try {
      reply = await socket.request(pullDocReq());
    } catch (err) {
      await socket.close();
      throw new ClientSessionError((err as Error).message, { cause: err });
    }
    const doc = Document.from_json((reply.content as { doc: Parameters<typeof Document.from_json>[0] }).doc, bufferMap(reply));
    const session = new ClientSession(sessionId, socket, doc);
    socket.onMessage = (m) => session.onServerMessage(m);
    for (const m of queued) session.onServerMessage(m);
    session.unsubscribe = doc.on_change((ev) => {
      if (ev.setter === session) return;
      const s = serializeEvents([ev], doc, { threshold: 64 });
      const sent = socket.request(patchDocFromClient(s.json, s.buffers));
      session.inFlight.add(sent);
      sent.catch(() => {}).finally(() => session.inFlight.delete(sent));
    });
    return session;
  }

  /** Resolves once every change sent so far was acknowledged; rejects if the server refused one. */
  async flush(): Promise<void> {
    try {
      await Promise.all([...this.inFlight]);
    } catch (err) {
      throw new ClientSessionError((err as Error).message, { cause: err });
    }
  }

  async close(): Promise<void> {
    this.unsubscribe?.();
    await this.socket.close();
  }

  private onServerMessage(msg: Message): void {
    if (msg.header.msgtype === "PATCH-DOC") void this.document.apply_json_patch(msg.content as { events: unknown[] }, bufferMap(msg), this).catch(() => {});
  }
}

/** Opens a live session of an app and pulls its document (Bokeh's `pull_session`). */
export function pullSession(opts: PullSessionOptions): Promise<ClientSession> {
  return ClientSession.open(opts);
}
