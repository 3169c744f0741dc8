import http from "node:http";
import { WebSocketServer, type WebSocket, type RawData } from "ws";
import type { Duplex } from "node:stream";
import { parseSubprotocolHeader, MOUNT_HEADER, MOUNT_PATTERN, HEALTH_PATH } from "../../shared/protocol/index.ts";
import type { WorkerConfig } from "../../shared/config/index.ts";
import type { Logger } from "../../shared/logging/create-logger.ts";
import { ERROR_CATALOGUE, type ErrorCode } from "../../shared/errors/catalogue.ts";
import { SessionCreationError, type SessionRegistry } from "./session-registry.ts";
import { ProtocolConnection, CLOSE_SESSION_FAILED } from "../../shared/session/protocol-connection.ts";
import { autoloadScript, errorPage, sessionPage } from "../../shared/session/page.ts";
import { queryArguments, appHeaders } from "./query-arguments.ts";
import type { SessionSigning } from "./session-signing.ts";
import { USER_HEADER, UserHeaderVerifier, type AppUser } from "../../shared/auth/user-header.ts";
import type { AppBundle } from "./app-bundle.ts";
import { renderTemplate } from "./page-template.ts";
import { serveStatic } from "./static-files.ts";
import { internalRoutes } from "./internal-routes.ts";
import type { SessionJournal } from "./session-journal.ts";

const mountOf = (req: http.IncomingMessage): string => {
  const m = req.headers[MOUNT_HEADER];
  return typeof m === "string" && MOUNT_PATTERN.test(m) ? m : "";
};

/**
 * The worker's HTTP + WebSocket front, listening on its Unix socket: the session page, `autoload.js`, the
 * protocol socket at `<prefix>/ws`, and a health endpoint for the supervisor (not reachable through the gateway,
 * which only proxies `<prefix>/...`).
 */
export function createWorkerServer(deps: {
  config: WorkerConfig; sessions: SessionRegistry; signing: SessionSigning; logger: Logger;
  /** A directory app's static files and page template (absent: a single module). */
  bundle?: Pick<AppBundle, "staticDir" | "template">;
  /** A restorable app's journal: its supervisor confirms saves and restores sessions through internal routes. */
  journal?: SessionJournal | null;
}): http.Server & { goingAway(): void } {
  const { config, sessions, signing, logger } = deps;
  const internal = internalRoutes({ sessions, journal: deps.journal ?? null, logger });
  const staticPrefix = `${config.prefix}/static/`;
  const verifier = config.userHeaderKey ? new UserHeaderVerifier(config.userHeaderKey) : null;
  /** The user the gateway vouched for (signed header); a bad header counts as none and is logged. */
  const userOf = (req: http.IncomingMessage): AppUser | null => {
    if (!verifier) return null;
    try {
      return verifier.verify(req.headers[USER_HEADER]);
    } catch (err) {
      logger.warn({ err: (err as Error).message, reqId: req.headers["x-request-id"] }, "ignoring an invalid user header");
      return null;
    }
  };
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.maxMessageBytes,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has("bokeh") ? "bokeh" : false),
  });

  const sendJsonError = (res: http.ServerResponse, code: ErrorCode, detail?: string) => {
    const entry = ERROR_CATALOGUE[code];
    res.writeHead(entry.status, { "content-type": "application/json; charset=utf-8" });
    res.end(JSON.stringify({ error: { code, message: detail ? `${entry.message} (${detail})` : entry.message } }));
  };

  /** The session a page or autoload.js request asks for (`bokeh-session-id`), or a new one. */
  const sessionFor = async (req: http.IncomingMessage, url: URL) => {
    const requested = url.searchParams.get("bokeh-session-id") ?? req.headers["bokeh-session-id"];
    let id: string;
    if (typeof requested === "string" && requested !== "") {
      if (!signing.acceptsSessionId(requested)) return null;
      id = requested;
    } else id = signing.newSessionId();
    const args = queryArguments(url.searchParams);
    delete args["bokeh-session-id"];
    const session = await sessions.getOrCreate(id, { arguments: args, headers: appHeaders(req.headers), user: userOf(req) });
    return { session, token: signing.token(id) };
  };

  const sessionFailed = (res: http.ServerResponse, err: unknown, html: boolean) => {
    if (!(err instanceof SessionCreationError)) throw err;
    const cause = err.cause as Error | undefined;
    if (!html) return sendJsonError(res, "app_session_failed", config.dev ? cause?.message : undefined);
    res.writeHead(500, { "content-type": "text/html; charset=utf-8" });
    res.end(errorPage({
      status: 500, title: "This app failed to start a session", message: ERROR_CATALOGUE.app_session_failed.message,
      detail: config.dev ? (cause?.stack ?? String(cause)) : undefined,
    }));
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://worker.invalid");
    const reqLog = logger.child({ reqId: req.headers["x-request-id"] });
    try {
      if (url.pathname === HEALTH_PATH) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ ok: true, sessions: sessions.size }));
        return;
      }
      if (internal(req, res, url.pathname)) return;
      if (req.method !== "GET" && req.method !== "HEAD") return sendJsonError(res, "not_found");
      const mount = mountOf(req);
      if (url.pathname.startsWith(staticPrefix)) {
        const dir = deps.bundle?.staticDir;
        if (!dir || !serveStatic(req, res, dir, url.pathname.slice(staticPrefix.length))) sendJsonError(res, "not_found", url.pathname);
        return;
      }
      if (url.pathname === config.prefix || url.pathname === `${config.prefix}/`) {
        const opened = await sessionFor(req, url);
        if (!opened) return sendJsonError(res, "bad_session_id");
        const { session, token } = opened;
        reqLog.info({ sessionId: session.id }, "session page served");
        const doc = session.document;
        const template = deps.bundle?.template;
        const html = template
          ? renderTemplate(template, {
            title: doc.title, token, staticPrefix: `${mount}/static`, variables: doc.template_variables,
            roots: doc.roots.map((r) => ({ id: r.id, name: typeof r.attributes.get("name") === "string" ? (r.attributes.get("name") as string) : null })),
          })
          : sessionPage({ title: doc.title, token, rootIds: doc.roots.map((r) => r.id), staticPrefix: `${mount}/static` });
        res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
        res.end(html);
        return;
      }
      if (url.pathname === `${config.prefix}/autoload.js`) {
        const elementId = url.searchParams.get("bokeh-autoload-element");
        if (!elementId) return sendJsonError(res, "bad_request", "autoload.js needs ?bokeh-autoload-element=<element id>");
        const absoluteUrl = url.searchParams.get("bokeh-absolute-url");
        let origin = "";
        try {
          if (absoluteUrl) origin = new URL(absoluteUrl).origin;
        } catch {
          return sendJsonError(res, "bad_request", "bokeh-absolute-url is not a URL");
        }
        const opened = await sessionFor(req, url);
        if (!opened) return sendJsonError(res, "bad_session_id");
        res.writeHead(200, { "content-type": "application/javascript; charset=utf-8", "cache-control": "no-store" });
        res.end(autoloadScript({
          token: opened.token, elementId, appPath: url.searchParams.get("bokeh-app-path") ?? `${mount}${config.prefix}`, absoluteUrl,
          staticPrefix: `${origin}${mount}/static`,
          loadResources: url.searchParams.get("resources") !== "none",
        }));
        return;
      }
      sendJsonError(res, "not_found");
    } catch (err) {
      try {
        sessionFailed(res, err, url.pathname !== `${config.prefix}/autoload.js`);
      } catch {
        reqLog.error({ err }, "request failed");
        if (!res.headersSent) sendJsonError(res, "internal");
        else res.destroy();
      }
    }
  });

  server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? "/", "http://worker.invalid");
    const refuse = (status: number, code: ErrorCode, detail: string) => {
      logger.warn({ path: url.pathname, detail }, "websocket refused");
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n${JSON.stringify({ error: { code, message: `${ERROR_CATALOGUE[code].message} (${detail})` } })}`);
    };
    if (url.pathname !== `${config.prefix}/ws`) return refuse(404, "not_found", url.pathname);
    let sessionId: string;
    try {
      const { token } = parseSubprotocolHeader(req.headers["sec-websocket-protocol"]);
      sessionId = signing.validate(token).session_id;
    } catch (err) {
      return refuse(403, "bad_token", (err as Error).message);
    }
    const args = queryArguments(url.searchParams);
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const connLog = logger.child({ sessionId, reqId: req.headers["x-request-id"] });
      const pending: Array<[RawData, boolean]> = [];
      let conn: ProtocolConnection | null = null;
      ws.on("message", (data: RawData, isBinary: boolean) => {
        if (conn) feed(conn, data, isBinary);
        else pending.push([data, isBinary]);
      });
      const ping = config.keepAliveMs > 0 ? setInterval(() => ws.ping(), config.keepAliveMs) : null;
      ping?.unref();
      ws.on("close", () => {
        if (ping) clearInterval(ping);
        conn?.handleClose();
      });
      ws.on("error", (err) => connLog.warn({ err }, "websocket error"));
      sessions.getOrCreate(sessionId, { arguments: args, headers: appHeaders(req.headers), user: userOf(req) }).then((session) => {
        if (ws.readyState !== ws.OPEN) return;
        conn = new ProtocolConnection(
          { send: (f) => ws.send(f, { binary: typeof f !== "string" }), close: (code, reason) => ws.close(code, reason) },
          session, {
            maxMessageBytes: config.maxMessageBytes, binaryThresholdBytes: config.binaryThresholdBytes,
            onProblem: (p) => connLog[p.level]({ err: p.err }, p.message),
          },
        );
        for (const [d, b] of pending.splice(0)) feed(conn, d, b);
        connLog.debug("websocket connected");
      }, (err) => {
        connLog.error({ err }, "could not create session for websocket");
        ws.close(CLOSE_SESSION_FAILED, "session could not be created");
      });
    });
  });

  server.on("close", () => wss.close());
  return Object.assign(server, {
    /**
     * Shutdown: every session's WebSocket is closed with 1001 (going away), so clients know to reconnect (to
     * another worker or gateway) rather than report an error; the sessions themselves are destroyed after.
     */
    goingAway: () => {
      for (const ws of wss.clients) ws.close(1001, "server shutting down");
    },
  });
}

function feed(conn: ProtocolConnection, data: RawData, isBinary: boolean): void {
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
  conn.handleFrame(isBinary ? new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) : buf.toString("utf8"));
}
