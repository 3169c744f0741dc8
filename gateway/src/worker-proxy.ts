import http from "node:http";
import type { Duplex } from "node:stream";
import type { Socket } from "node:net";
import httpProxy from "http-proxy";
import { PlothostError } from "../../shared/errors/catalogue.ts";
import type { Logger } from "../../shared/logging/create-logger.ts";

/**
 * The http-proxy every hop to a worker uses (the gateway's AppProxy, a runner's front), with what each needs: a
 * worker that cannot be reached is answered `app_unavailable` as JSON (or the socket closed, mid-response or for a
 * WebSocket), and a WebSocket the worker ends first is ended on the client's side too: http-proxy would unpipe the
 * client's socket and leave it paused, never reading its FIN (e.g. after 1007 on invalid UTF-8, 1009 on an
 * oversized message). `onUpgrade` sees each proxied WebSocket once the worker accepted it.
 */
export function createWorkerProxy(opts: {
  logger: Logger;
  /** Adds X-Forwarded-* headers (the gateway, which faces clients). */
  xfwd?: boolean;
  onUpgrade?: (res: http.IncomingMessage, client: Socket, worker: Duplex) => void;
}): httpProxy {
  const proxy = httpProxy.createProxyServer({ ws: true, xfwd: opts.xfwd ?? false, proxyTimeout: 0 });
  proxy.on("error", (err, _req, target) => {
    opts.logger.warn({ err }, "proxy error");
    if (target instanceof http.ServerResponse) {
      if (!target.headersSent) answerError(target, new PlothostError("app_unavailable", (err as NodeJS.ErrnoException).code));
      else target.destroy();
    } else (target as Duplex | undefined)?.destroy();
  });
  proxy.on("proxyReqWs", (proxyReq, _req, socket) => {
    proxyReq.once("upgrade", (res: http.IncomingMessage, proxySocket: Duplex) => {
      proxySocket.once("close", () => (socket as Socket).destroySoon());
      opts.onUpgrade?.(res, socket as Socket, proxySocket);
    });
  });
  return proxy;
}

/** Answers an HTTP request with the error's status and JSON body. */
export function answerError(res: http.ServerResponse, err: PlothostError): void {
  res.writeHead(err.status, { "content-type": "application/json" }).end(JSON.stringify(err.toJSON()));
}

/** Answers a WebSocket upgrade with the error as a JSON HTTP response, and closes the socket. */
export function refuseUpgrade(socket: Duplex, err: PlothostError): void {
  const body = JSON.stringify(err.toJSON());
  socket.end(`HTTP/1.1 ${err.status} ${http.STATUS_CODES[err.status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/** http-proxy accepts `{socketPath}` as a target at run time; its type declarations require host and port too. */
export function unixTarget(socketPath: string): httpProxy.ProxyTarget {
  return { socketPath } as unknown as httpProxy.ProxyTarget;
}
