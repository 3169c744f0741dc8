import http from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import { PlothostError } from "../../../shared/errors/catalogue.ts";
import type { Logger } from "../../../shared/logging/create-logger.ts";
import { generateSessionId, generateToken, parseSubprotocolHeader, validateToken } from "../../../shared/protocol/index.ts";
import { ProtocolConnection } from "../../../shared/session/protocol-connection.ts";
import { ServerSession } from "../../../shared/session/server-session.ts";
import type { Principal } from "../auth/principal.ts";
import { isOriginAllowed } from "../origin-check.ts";
import type { MetricsCollector } from "./metrics-collector.ts";
import { OverviewDocument } from "./overview-document.ts";

/** Where the overview's BokehJS connects (below plothost's mount). */
export const OVERVIEW_PATH = "/admin/overview";

/** The overview is read-only: a viewer's pans and zooms stay in their browser; nothing a viewer sends is applied. */
class OverviewSession extends ServerSession {
  override async applyClientPatch(): Promise<void> {}

  override async replaceFromClient(): Promise<void> {
    throw new PlothostError("read_only_view", "the admin overview cannot be replaced");
  }
}

/**
 * Hosts the admin overview as one live Bokeh session in the gateway, shared by every admin watching (like a
 * published document's session): the metrics collector's samples are streamed into its ColumnDataSource under
 * the document lock, and each connected BokehJS receives them as PATCH-DOC. Only admins (with the `admin`
 * scope) may connect; browsers' Origins are checked as for apps.
 */
export class OverviewHost {
  private readonly overview = new OverviewDocument();
  private readonly session: OverviewSession;
  private readonly unsubscribe: () => void;
  private readonly wss = new WebSocketServer({
    noServer: true, perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has("bokeh") ? "bokeh" : false),
  });

  constructor(private readonly deps: {
    collector: MetricsCollector;
    identify: (req: http.IncomingMessage) => Promise<Principal | null>;
    logger: Logger;
    secretKey: string | null;
    tokenExpirationS: number;
    maxMessageBytes: number;
    keepAliveMs: number;
    allowWebsocketOrigins: readonly string[];
  }) {
    this.wss.options.maxPayload = deps.maxMessageBytes;
    this.session = new OverviewSession("admin:overview", this.overview.document, {
      binaryThresholdBytes: 64,
      onCallbackError: (err, where) => deps.logger.error({ err, where }, "error in the admin overview"),
    });
    for (const s of deps.collector.history()) this.overview.record(s);
    this.unsubscribe = deps.collector.onSample((s) => {
      void this.session.withDocument(() => this.overview.record(s)).catch((err) => deps.logger.error({ err }, "could not update the admin overview"));
    });
  }

  /** A fresh session token for a page or autoload script (signed with --sign-sessions). */
  token(): string {
    const secretKey = this.deps.secretKey ?? undefined;
    const signed = this.deps.secretKey !== null;
    return generateToken(generateSessionId({ secretKey, signed }), { expiration: this.deps.tokenExpirationS, secretKey, signed });
  }

  /** Handles the upgrade if `pathname` is the overview's socket; returns false otherwise. */
  handle(req: http.IncomingMessage, socket: Duplex, head: Buffer, pathname: string): boolean {
    if (pathname !== `${OVERVIEW_PATH}/ws`) return false;
    this.accept(req, socket, head).catch((err: unknown) => {
      const e = err instanceof PlothostError ? err : new PlothostError("internal");
      if (e.status >= 500) this.deps.logger.error({ err }, "admin overview websocket failed");
      const body = JSON.stringify(e.toJSON());
      socket.end(`HTTP/1.1 ${e.status} ${http.STATUS_CODES[e.status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    });
    return true;
  }

  async close(): Promise<void> {
    this.unsubscribe();
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
    await this.session.destroy();
  }

  private async accept(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (!isOriginAllowed(req, this.deps.allowWebsocketOrigins)) throw new PlothostError("forbidden_origin", String(req.headers.origin));
    const who = await this.deps.identify(req);
    if (!who) throw new PlothostError("unauthenticated");
    if (who.role !== "admin") throw new PlothostError("admin_required");
    if (!who.scopes.has("admin")) throw new PlothostError("insufficient_scope", `needs "admin"`);
    const { token } = parseSubprotocolHeader(req.headers["sec-websocket-protocol"]);
    try {
      validateToken(token, { now: Math.floor(Date.now() / 1000), secretKey: this.deps.secretKey ?? undefined, signed: this.deps.secretKey !== null });
    } catch (err) {
      throw new PlothostError("bad_token", (err as Error).message);
    }
    const ws = await new Promise<WebSocket>((resolve) => this.wss.handleUpgrade(req, socket, head, resolve));
    const log = this.deps.logger.child({ user: who.username, reqId: req.headers["x-request-id"] });
    const conn = new ProtocolConnection(
      { send: (f) => ws.send(f, { binary: typeof f !== "string" }), close: (code, reason) => ws.close(code, reason) },
      this.session,
      { maxMessageBytes: this.deps.maxMessageBytes, binaryThresholdBytes: 64, onProblem: (p) => log[p.level]({ err: p.err }, p.message) },
    );
    const ping = this.deps.keepAliveMs > 0 ? setInterval(() => ws.ping(), this.deps.keepAliveMs) : null;
    ping?.unref();
    ws.on("message", (data: RawData, isBinary: boolean) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      conn.handleFrame(isBinary ? new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) : buf.toString("utf8"));
    });
    ws.on("close", () => {
      if (ping) clearInterval(ping);
      conn.handleClose();
    });
    ws.on("error", (err) => log.warn({ err }, "websocket error"));
  }
}
