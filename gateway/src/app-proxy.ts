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
import { mayBeRegistering, sessionIdOf } from "./apps/app-router.ts";
import type { SessionRegistry } from "./cluster/session-registry.ts";
import { parseRunnerTarget, type WorkerTarget } from "./runner/runner-protocol.ts";
import { RUNNER_AUTH_HEADER, RUNNER_WORKER_HEADER, runnerAuth } from "./runner/runner-auth.ts";
import { createWorkerProxy, refuseUpgrade, unixTarget } from "./worker-proxy.ts";

/**
 * The front to the per-app workers: HTTP requests and WebSocket upgrades under `/<app>/...` are proxied with
 * http-proxy to the app's worker socket. The gateway never touches a worker any other way.
 */
export class AppProxy {
  private readonly proxy: httpProxy;
  /**
   * Keep-alive connections to the workers' sockets for proxied HTTP requests (pooled per socket path). Without an
   * agent http-proxy opens a connection per request and sends `connection: close`, which the bench showed costing
   * both the gateway and the worker CPU on every page load. Idle sockets are closed after 2 s, well before a
   * worker's server would close them (Node's 5 s keep-alive timeout), so a request never lands on a socket the
   * worker is closing. WebSocket upgrades keep their own connection (the socket becomes the session's).
   */
  private readonly workerAgent = new http.Agent({ keepAlive: true, timeout: 2000 });
  /** The same, over TCP to runners (pooled per runner address). */
  private readonly runnerAgent = new http.Agent({ keepAlive: true, timeout: 2000 });

  constructor(
    private readonly supervisors: ReadonlyMap<string, WorkerSupervisor>,
    private readonly opts: {
      logger: Logger; allowWebsocketOrigins: readonly string[]; readyTimeoutMs: number;
      /** Apps beyond the local ones (deployed apps at `/<user>/<app>`), consulted when no local app matches. */
      resolve?: (req: http.IncomingMessage, pathname: string) => ProxyTarget | undefined;
      /**
       * `--num-procs N`: sessions held by the workers of other gateway processes are proxied to their sockets.
       * Absent with one process (no lookups).
       */
      sessions?: SessionRegistry;
      /** Sent as `x-plothost-process` on WebSocket handshakes (with `--num-procs N`: which process answered). */
      processTag?: string;
      /**
       * `--runners`: the shared secret proving to runners that requests come from a gateway, and whether a runner
       * is alive (a session registered on a dead runner is routed afresh, where a restorable one is restored).
       */
      runners?: { secret: string; isLive(runnerId: string): boolean };
    },
  ) {
    this.proxy = createWorkerProxy({
      logger: opts.logger, xfwd: true,
      onUpgrade: (res, client, worker) => {
        if (opts.processTag) res.headers["x-plothost-process"] = opts.processTag;
        const pair = { client, worker };
        this.sessionSockets.add(pair);
        client.once("close", () => this.sessionSockets.delete(pair));
      },
    });
  }

  /** Proxied session WebSockets: the client's socket and the worker's (closed by the gateway's shutdown). */
  private readonly sessionSockets = new Set<{ client: Socket; worker: Duplex }>();

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
    this.socketFor(req, sup).then((target) => this.proxy.web(req, res, this.proxyOptions(target, true)), next);
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
    if (!sup) return refuseUpgrade(socket, new PlothostError("not_found", pathname));
    if (!isOriginAllowed(req, this.opts.allowWebsocketOrigins)) {
      this.opts.logger.warn({ origin: req.headers.origin, path: pathname }, "websocket origin refused");
      return refuseUpgrade(socket, new PlothostError("forbidden_origin", String(req.headers.origin)));
    }
    this.socketFor(req, sup).then(
      (target) => this.proxy.ws(req, socket, head, this.proxyOptions(target, false)),
      (err) => refuseUpgrade(socket, err instanceof PlothostError ? err : new PlothostError("app_unavailable")),
    );
  }

  /**
   * Stops proxying. Session WebSockets still open are ended with close code 1001 (going away), so their clients
   * reconnect (through another gateway); their sessions stay in their workers (on a runner, they outlive this
   * gateway). The worker's side is cut first, so nothing more is relayed after the close frame.
   */
  close(): void {
    for (const { client, worker } of this.sessionSockets) {
      worker.unpipe(client);
      client.unpipe(worker);
      worker.destroy();
      client.end(GOING_AWAY_FRAME);
    }
    this.sessionSockets.clear();
    this.proxy.close();
    this.workerAgent.destroy();
    this.runnerAgent.destroy();
  }

  /** http-proxy's options for a target: a local worker's socket, or a worker on a runner (with the secret's proof). */
  private proxyOptions(target: WorkerTarget, web: boolean): httpProxy.ServerOptions {
    const remote = parseRunnerTarget(target);
    if (!remote) return web ? { target: unixTarget(target), agent: this.workerAgent } : { target: unixTarget(target) };
    // Without --runners (no secret) the runner answers runner_auth_failed, which names the fix.
    const secret = this.opts.runners?.secret;
    const headers = { [RUNNER_WORKER_HEADER]: remote.workerId, ...(secret ? { [RUNNER_AUTH_HEADER]: runnerAuth(secret, remote.workerId) } : {}) };
    const tcp = { host: remote.host, port: remote.port } as httpProxy.ProxyTarget;
    return web ? { target: tcp, agent: this.runnerAgent, headers } : { target: tcp, headers };
  }

  /** Where a request goes: the worker holding its session when another process (or a runner) has it, else ours. */
  private async socketFor(req: http.IncomingMessage, sup: ProxyTarget): Promise<string> {
    const registry = this.opts.sessions;
    const sessionId = sessionIdOf(req);
    if (registry && sessionId && !registry.holds(sessionId)) {
      const elsewhere = await registry.lookup(sessionId, mayBeRegistering(req) ? undefined : 0);
      // A session registered on a runner that is gone is routed afresh (a restorable one is restored there).
      const runner = elsewhere ? parseRunnerTarget(elsewhere) : null;
      if (elsewhere && (!runner || (this.opts.runners?.isLive(runner.runnerId) ?? false))) return elsewhere;
    }
    const socketPath = await this.waitReady(sup);
    // A restorable app's session this worker does not hold (its worker died) is restored before the request goes on.
    if (sessionId && sup.prepareSession) await sup.prepareSession(sessionId);
    return socketPath;
  }

  private waitReady(sup: { ready(): Promise<string> }): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new PlothostError("app_unavailable", `no worker ready after ${this.opts.readyTimeoutMs} ms`)), this.opts.readyTimeoutMs);
      sup.ready().then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }
}

/** An unmasked WebSocket close frame (server to client) with code 1001, going away (RFC 6455 §5.5.1). */
const GOING_AWAY_FRAME = Buffer.from([0x88, 0x02, 0x03, 0xe9]);

/** What the proxy reaches an app through: a supervisor, or a deployed app's pool (see RouteTarget). */
type ProxyTarget = { ready(): Promise<string>; prepareSession?(sessionId: string): Promise<void> };
