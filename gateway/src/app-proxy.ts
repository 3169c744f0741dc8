import http from "node:http";
import type { Duplex } from "node:stream";
import type { Socket } from "node:net";
import httpProxy from "http-proxy";
import type { Request, Response, NextFunction } from "express";
import { PlothostError } from "../../shared/errors/catalogue.ts";
import { MOUNT_HEADER } from "../../shared/protocol/index.ts";
import type { Logger } from "../../shared/logging/create-logger.ts";
import type { WorkerSupervisor } from "./worker-supervisor.ts";
import { isOriginAllowed } from "./origin-check.ts";
import { sessionIdOf } from "./apps/app-router.ts";
import type { SessionRegistry } from "./cluster/session-registry.ts";

/**
 * The front to the per-app workers: HTTP requests and WebSocket upgrades under `/<app>/...` are proxied with
 * http-proxy to the app's worker socket. The gateway never touches a worker any other way.
 */
export class AppProxy {
  private readonly proxy = httpProxy.createProxyServer({ ws: true, xfwd: true, proxyTimeout: 0 });
  /**
   * Keep-alive connections to the workers' sockets for proxied HTTP requests (pooled per socket path). Without an
   * agent http-proxy opens a connection per request and sends `connection: close`, which the bench showed costing
   * both the gateway and the worker CPU on every page load. Idle sockets are closed after 2 s, well before a
   * worker's server would close them (Node's 5 s keep-alive timeout), so a request never lands on a socket the
   * worker is closing. WebSocket upgrades keep their own connection (the socket becomes the session's).
   */
  private readonly workerAgent = new http.Agent({ keepAlive: true, timeout: 2000 });

  constructor(
    private readonly supervisors: ReadonlyMap<string, WorkerSupervisor>,
    private readonly opts: {
      logger: Logger; allowWebsocketOrigins: readonly string[]; readyTimeoutMs: number;
      /** Apps beyond the local ones (deployed apps at `/<user>/<app>`), consulted when no local app matches. */
      resolve?: (req: http.IncomingMessage, pathname: string) => { ready(): Promise<string> } | undefined;
      /**
       * `--num-procs N`: sessions held by the workers of other gateway processes are proxied to their sockets.
       * Absent with one process (no lookups).
       */
      sessions?: SessionRegistry;
      /** Sent as `x-plothost-process` on WebSocket handshakes (with `--num-procs N`: which process answered). */
      processTag?: string;
    },
  ) {
    this.proxy.on("error", (err, _req, target) => {
      opts.logger.warn({ err }, "proxy error");
      if (target instanceof http.ServerResponse) {
        if (!target.headersSent) {
          const e = new PlothostError("app_unavailable", (err as NodeJS.ErrnoException).code);
          target.writeHead(e.status, { "content-type": "application/json" }).end(JSON.stringify(e.toJSON()));
        } else target.destroy();
      } else (target as Duplex | undefined)?.destroy();
    });
    // When the worker ends a WebSocket first (e.g. 1007 on invalid UTF-8, 1009 on an oversized message),
    // http-proxy unpipes the client's socket and leaves it paused: it would never read the client's FIN and
    // never close. End it with the worker's side.
    this.proxy.on("proxyReqWs", (proxyReq, _req, socket) => {
      proxyReq.once("upgrade", (res: http.IncomingMessage, proxySocket: Duplex) => {
        if (opts.processTag) res.headers["x-plothost-process"] = opts.processTag;
        proxySocket.once("close", () => (socket as Socket).destroySoon());
      });
    });
  }

  /** The supervisor serving a path, from its first segment (`/demo/ws` → `demo`). */
  supervisorFor(pathname: string): WorkerSupervisor | undefined {
    const name = pathname.split("/")[1] ?? "";
    return this.supervisors.get(name);
  }

  /** Express middleware: proxies app paths, passes everything else on. */
  readonly http = (req: Request, res: Response, next: NextFunction): void => {
    const sup = this.supervisorFor(req.path) ?? this.opts.resolve?.(req, req.path);
    if (!sup) return next();
    req.headers[MOUNT_HEADER] = req.baseUrl;
    this.socketFor(req, sup).then(
      (socketPath) => this.proxy.web(req, res, { target: unixTarget(socketPath), agent: this.workerAgent }),
      next,
    );
  };

  /** The HTTP server's `upgrade` handler (plothost mounted at the root). */
  readonly upgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => this.upgradeAt("", req, socket, head);

  /**
   * Handles an upgrade for plothost mounted at `mount` (e.g. `/viz`): the caller has checked that the URL starts
   * with it. The mount is stripped before routing, and told to the worker.
   */
  upgradeAt(mount: string, req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    req.url = (req.url ?? "/").slice(mount.length) || "/";
    req.headers[MOUNT_HEADER] = mount;
    const pathname = new URL(req.url, "http://gateway.invalid").pathname;
    const sup = this.supervisorFor(pathname) ?? this.opts.resolve?.(req, pathname);
    if (!sup) return refuse(socket, new PlothostError("not_found", pathname));
    if (!isOriginAllowed(req, this.opts.allowWebsocketOrigins)) {
      this.opts.logger.warn({ origin: req.headers.origin, path: pathname }, "websocket origin refused");
      return refuse(socket, new PlothostError("forbidden_origin", String(req.headers.origin)));
    }
    this.socketFor(req, sup).then(
      (socketPath) => this.proxy.ws(req, socket, head, { target: unixTarget(socketPath) }),
      (err) => refuse(socket, err instanceof PlothostError ? err : new PlothostError("app_unavailable")),
    );
  }

  close(): void {
    this.proxy.close();
    this.workerAgent.destroy();
  }

  /** The worker socket for a request: another process's worker when it holds the request's session, else ours. */
  private async socketFor(req: http.IncomingMessage, sup: { ready(): Promise<string> }): Promise<string> {
    const registry = this.opts.sessions;
    const sessionId = registry ? sessionIdOf(req) : null;
    if (registry && sessionId && !registry.holds(sessionId)) {
      const elsewhere = await registry.lookup(sessionId);
      if (elsewhere) return elsewhere;
    }
    return this.waitReady(sup);
  }

  private waitReady(sup: { ready(): Promise<string> }): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new PlothostError("app_unavailable", `no worker ready after ${this.opts.readyTimeoutMs} ms`)), this.opts.readyTimeoutMs);
      sup.ready().then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }
}

function refuse(socket: Duplex, err: PlothostError): void {
  const body = JSON.stringify(err.toJSON());
  socket.end(`HTTP/1.1 ${err.status} ${http.STATUS_CODES[err.status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/** http-proxy accepts `{socketPath}` as a target at run time; its type declarations require host and port too. */
function unixTarget(socketPath: string): httpProxy.ProxyTarget {
  return { socketPath } as unknown as httpProxy.ProxyTarget;
}
