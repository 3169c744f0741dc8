import http from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import { parseSubprotocolHeader, validateToken } from "../../../shared/protocol/index.ts";
import { PlothostError } from "../../../shared/errors/catalogue.ts";
import { ProtocolConnection } from "../../../shared/session/protocol-connection.ts";
import type { Logger } from "../../../shared/logging/create-logger.ts";
import { accessMode, canView, type DocsAuth } from "./doc-access.ts";
import type { LiveDocuments } from "./live-documents.ts";
import { isPublicView } from "./doc-pages.ts";
import { isOriginAllowed } from "../origin-check.ts";
import type { ShareLinks, ShareLinkInfo } from "./share-links.ts";
import type { AccessMode } from "./published-session.ts";

/** `/doc/<id>/ws` or `/doc/<id>/<rootid>/ws` (a page of one root connects from its own path). */
export const DOC_SOCKET_PATH = /^\/doc\/([A-Za-z0-9_-]{1,100})(?:\/[A-Za-z0-9_.-]{1,100})?\/ws$/;
/** `/s/<secret>/ws`: a share link's page connects from its own path. */
export const LINK_SOCKET_PATH = /^\/s\/(phs_[A-Za-z0-9_-]{1,90})\/ws$/;

/**
 * WebSocket connections of published-document viewers, handled in the gateway itself (a published document runs
 * no tenant code). Each gets the Bokeh protocol on the document's shared live session, in `view` or `interact`
 * mode from who the viewer is. Browsers' Origins are checked as for apps (`--allow-websocket-origin`).
 */
export class DocSockets {
  /** Viewers connected through each share link, so revoking a link disconnects them at once. */
  private readonly byLink = new Map<number, Set<WebSocket>>();
  private readonly wss = new WebSocketServer({
    noServer: true, perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has("bokeh") ? "bokeh" : false),
  });

  constructor(private readonly deps: {
    live: LiveDocuments; auth: DocsAuth; logger: Logger; secretKey: string | null; maxMessageBytes: number; keepAliveMs: number;
    allowWebsocketOrigins: readonly string[]; links: ShareLinks;
    /** Sent as `x-plothost-process` on handshakes (with `--num-procs N`: which gateway process a viewer is on). */
    processTag?: string;
  }) {
    this.wss.options.maxPayload = deps.maxMessageBytes;
    const tag = deps.processTag;
    if (tag) this.wss.on("headers", (headers) => void headers.push(`x-plothost-process: ${tag}`));
  }

  /** Handles the upgrade if the path is a document socket; returns false otherwise. */
  handle(req: http.IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? "/", "http://gateway.invalid");
    const m = DOC_SOCKET_PATH.exec(url.pathname);
    const l = m ? null : LINK_SOCKET_PATH.exec(url.pathname);
    if (!m && !l) return false;
    const accepted = m ? this.accept(m[1], url, req, socket, head, null) : this.acceptLink(l![1], url, req, socket, head);
    accepted.catch((err: unknown) => {
      const e = err instanceof PlothostError ? err : new PlothostError("internal");
      if (e.status >= 500) this.deps.logger.error({ err }, "document websocket failed");
      const body = JSON.stringify(e.toJSON());
      socket.end(`HTTP/1.1 ${e.status} ${http.STATUS_CODES[e.status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    });
    return true;
  }

  /** Disconnects everyone viewing through a link that was just revoked. */
  disconnectLink(linkId: number): void {
    for (const ws of this.byLink.get(linkId) ?? []) ws.close(1008, "this share link was revoked");
  }

  /**
   * Closes every viewer's WebSocket with 1001 (going away: BokehJS and scripts reconnect, to another gateway when
   * there is one), waiting at most `graceMs` for the closing handshakes before cutting what is left.
   */
  async close(graceMs = 1000): Promise<void> {
    const open = [...this.wss.clients];
    const closed = open.map((ws) => new Promise<void>((resolve) => {
      if (ws.readyState === ws.CLOSED) return resolve();
      ws.once("close", () => resolve());
      ws.close(1001, "server shutting down");
    }));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(closed), new Promise((resolve) => { timer = setTimeout(resolve, graceMs); })]);
    clearTimeout(timer);
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }

  private async acceptLink(secret: string, url: URL, req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const link = await this.deps.links.resolve(secret);
    await this.accept(link.docId, url, req, socket, head, link);
  }

  private async accept(docId: string, url: URL, req: http.IncomingMessage, socket: Duplex, head: Buffer, link: ShareLinkInfo | null): Promise<void> {
    if (!isOriginAllowed(req, this.deps.allowWebsocketOrigins)) throw new PlothostError("forbidden_origin", String(req.headers.origin));
    const { token } = parseSubprotocolHeader(req.headers["sec-websocket-protocol"]);
    try {
      validateToken(token, { now: Math.floor(Date.now() / 1000), secretKey: this.deps.secretKey ?? undefined, signed: this.deps.secretKey !== null });
    } catch (err) {
      throw new PlothostError("bad_token", (err as Error).message);
    }
    // Anonymous sockets get the public view: an embed (autoload.js) in another site connects with that site's query
    // string, not `?public=true`.
    const asked = link === null && isPublicView(url.searchParams);
    const who = asked || link ? null : await this.deps.auth.identify(req);
    const publicView = link === null && (asked || who === null);
    let ws: WebSocket | null = null;
    // A share link grants access by itself (until revoked or expired), whatever the document's visibility.
    const allowed = (meta: Parameters<typeof canView>[1]) => link !== null || canView(who, meta, publicView);
    const { session, leave } = await this.deps.live.join(docId, {
      stillAllowed: allowed,
      close: (code, reason) => ws?.close(code, reason),
    }).catch((err: unknown) => {
      throw err instanceof PlothostError && err.status === 404 ? new PlothostError("document_not_found") : err;
    });
    if (!allowed(session.meta)) {
      leave();
      throw new PlothostError("document_not_found");
    }
    ws = await new Promise<WebSocket>((resolve) => this.wss.handleUpgrade(req, socket, head, resolve));
    const socketWs = ws;
    const log = this.deps.logger.child({ docId, user: who?.username ?? "anonymous", reqId: req.headers["x-request-id"] });
    const conn = new ProtocolConnection(
      { send: (f) => socketWs.send(f, { binary: typeof f !== "string" }), close: (code, reason) => socketWs.close(code, reason) },
      session,
      { maxMessageBytes: this.deps.maxMessageBytes, binaryThresholdBytes: 64, onProblem: (p) => log[p.level]({ err: p.err }, p.message) },
    );
    const mode: AccessMode = link ? link.mode : accessMode(who, session.meta, publicView);
    session.setMode(conn, mode);
    let expiry: NodeJS.Timeout | null = null;
    if (link) {
      let set = this.byLink.get(link.id);
      if (!set) this.byLink.set(link.id, (set = new Set()));
      set.add(socketWs);
      if (link.expiresAt) {
        expiry = setTimeout(() => socketWs.close(1008, "this share link expired"), Math.max(0, Date.parse(link.expiresAt) - Date.now()));
        expiry.unref();
      }
    }
    const ping = this.deps.keepAliveMs > 0 ? setInterval(() => socketWs.ping(), this.deps.keepAliveMs) : null;
    ping?.unref();
    socketWs.on("message", (data: RawData, isBinary: boolean) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      conn.handleFrame(isBinary ? new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) : buf.toString("utf8"));
    });
    socketWs.on("close", () => {
      if (ping) clearInterval(ping);
      if (expiry) clearTimeout(expiry);
      if (link) {
        const set = this.byLink.get(link.id);
        set?.delete(socketWs);
        if (set?.size === 0) this.byLink.delete(link.id);
      }
      conn.handleClose();
      leave();
    });
    socketWs.on("error", (err) => log.warn({ err }, "websocket error"));
  }
}
