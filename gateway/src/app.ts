/**
 * Gateway composition root: wires config, logger, sandbox, one supervisor per app, the BokehJS static files and
 * the proxy into an express 5 app and an HTTP server. Everything it creates is closed by `close()`.
 */
import type http from "node:http";
import path from "node:path";
import express, { type Request, type Response, type NextFunction } from "express";
import type { GatewayConfig } from "../../shared/config/index.ts";
import { PlothostError, toPlothostError } from "../../shared/errors/catalogue.ts";
import type { Logger } from "../../shared/logging/create-logger.ts";
import { createSandbox, type Sandbox } from "./sandbox/index.ts";
import { activeLayers } from "./sandbox/active-layers.ts";
import { createWorkerLauncher } from "./worker-launch/index.ts";
import { TenantIdentities } from "./sandbox/tenant-identities.ts";
import { requireScope } from "./auth/principal.ts";
import { WorkerSupervisor } from "./worker-supervisor.ts";
import { AppProxy } from "./app-proxy.ts";
import { bokehjsStatic } from "./static-bokehjs.ts";
import { requestContext } from "./request-context.ts";
import { indexRoute } from "./index-page.ts";
import { createServer, listen } from "./listener.ts";
import { applyForwardedHost } from "./forwarded-host.ts";
import { createAuth, type Auth } from "./auth/create-auth.ts";
import { createDocs } from "./docs/create-docs.ts";
import { docsAuth } from "./docs/docs-auth.ts";
import { ensureRedis } from "./redis/managed-redis.ts";
import { createApps, type Apps } from "./apps/create-apps.ts";
import { createAdminConsole, isProxiedPath } from "./admin/create-admin-console.ts";
import { createOps } from "./ops/create-ops.ts";
import { trackInFlight } from "./ops/in-flight-requests.ts";
import { timeRequests } from "./ops/request-timing.ts";
import { RedisSessionRegistry } from "./cluster/session-registry.ts";
import { RunnerDirectory } from "./runner/runner-directory.ts";
import { createSessionSnapshots } from "./sessions/create-session-snapshots.ts";

export interface Gateway {
  readonly app: express.Express;
  readonly server: http.Server;
  readonly sandbox: Sandbox;
  readonly supervisors: ReadonlyMap<string, WorkerSupervisor>;
  /** Accounts: who each request is, the accounts API and pages (gateway/src/auth). */
  readonly auth: Auth;
  /** Deployed apps (`/api/v1/apps`, served at `/<user>/<app>`; gateway/src/apps). */
  readonly apps: Apps;
  /**
   * Routes WebSocket upgrades under `mount` (e.g. `/viz`) on a host's HTTP server to plothost, for when `app` is
   * mounted inside another express app with `host.use(mount, gateway.app)`. Returns a function that detaches.
   */
  attach(httpServer: http.Server, mount: string): () => void;
  /** Starts listening; resolves with the bound port and the URL to print. */
  listen(): Promise<{ port: number; url: string }>;
  /** What `/readyz` answers, in-process (a `--num-procs` process reports it to the primary before taking traffic). */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

export async function createGateway(config: GatewayConfig, logger: Logger, deps: { sandbox?: Sandbox } = {}): Promise<Gateway> {
  const sandbox = deps.sandbox ?? (await createSandbox({ prefer: config.sandbox, watchdog: config.workerWatchdog }));
  // Each app gets its own uid (as root) and 0700 home; the workers add Node's own limits to the sandbox's layers.
  const tenants = new TenantIdentities({ dir: path.join(config.dataDir, "sandbox"), ...config.workerUidRange });
  // --node-permission on: the worker bundle is built (or found in DATA_DIR/worker-build) once, here.
  const launcher = await createWorkerLauncher({ projectRoot: config.projectRoot, dataDir: config.dataDir, nodePermission: config.nodePermission });
  const layers = activeLayers({ sandbox: sandbox.layers, launcher: launcher.layers, uidRange: config.workerUidRange, isRoot: process.getuid?.() === 0 });
  logger.info({ sandbox: sandbox.kind, layers }, "sandbox selected");
  for (const w of sandbox.warnings) logger.warn({ sandbox: sandbox.kind }, w);
  const managedRedis = await ensureRedis(config, logger);
  // --num-procs N: the gateway processes share which worker socket holds each app session (gateway/src/cluster);
  // --runners: which runner's worker holds it (any gateway may receive the session's next connection).
  const sessions = config.numProcs > 1 || config.runners ? new RedisSessionRegistry({ url: config.redisUrl, prefix: config.redisPrefix }) : undefined;
  const onSession = sessions
    ? (op: "created" | "destroyed", id: string, socketPath: string) => (op === "created" ? sessions.register(id, socketPath) : sessions.unregister(id))
    : undefined;
  // --runners: deployed apps' workers run on worker hosts (gateway/src/runner), placed through Redis and BullMQ.
  const runners = config.runners
    ? new RunnerDirectory({ redisUrl: config.redisUrl, prefix: config.redisPrefix, jobQueuePrefix: config.jobQueuePrefix, heartbeatMs: config.runnerHeartbeatMs, logger })
    : undefined;
  await runners?.start();
  const auth = await createAuth(config, logger);
  const docs = await createDocs(config, logger, docsAuth(auth), auth.db);
  // Deleting an account deletes its published documents and share links (their viewers are disconnected).
  auth.onUserDelete(async (user) => void (await docs.deleteOwnedBy(user.username)));

  // Restorable apps' sessions are saved here (Redis when the gateway has it, else memory) and restored on a new worker.
  const snapshots = createSessionSnapshots(config);
  const supervisors = new Map(config.apps.map((a) => [a.name, new WorkerSupervisor(a, { sandbox, config, logger, userHeaderKey: auth.userHeaderPublicKey, tenants, onSession, launcher, snapshots })]));
  const apps = await createApps(config, logger, {
    sandbox, csrfCheck: auth.csrfCheck, userHeaderKey: auth.userHeaderPublicKey, tenants, db: auth.db, launcher,
    shortPaths: { taken: (segment) => supervisors.has(segment) }, onSession, runners, snapshots,
  });
  // Deleting an account deletes its deployed apps (workers stopped, records gone, files removed by cleanup jobs).
  auth.onUserDelete(async (user) => void (await apps.removeOwner(user.username)));
  const adminConsole = createAdminConsole({
    config, logger, auth, docs: docs.store, deleteDocument: (id, origin) => docs.deleteDocument(id, origin), supervisors, deployed: apps,
    sandbox: { kind: sandbox.kind, layers, warnings: [...sandbox.warnings] },
  });
  const proxy = new AppProxy(supervisors, {
    logger, allowWebsocketOrigins: config.allowWebsocketOrigins, readyTimeoutMs: config.workerStartTimeoutMs,
    resolve: apps.resolve, sessions, processTag: sessions ? String(process.pid) : undefined,
    runners: runners && config.runnerSecret ? { secret: config.runnerSecret, isLive: (id) => runners.isLive(id) } : undefined,
  });

  const ops = createOps({
    config, db: auth.db,
    appStates: () => [...supervisors.values()].map((s) => ({ name: s.app.name, state: s.state })),
    sources: {
      sessions: () => adminConsole.stats().sessions,
      workers: () => {
        const s = adminConsole.stats();
        return { running: s.appsRunning, memoryBytes: s.workerMemoryBytes, restarts: s.restarts };
      },
      jobQueueDepth: () => apps.queue.depth(),
      runners: runners ? () => runners.runners().length : undefined,
    },
  });

  const app = express();
  app.disable("x-powered-by");
  // --use-xheaders: X-Forwarded-Proto/-For (express) and -Host (applyForwardedHost) from the proxy in front count.
  app.set("trust proxy", config.useXheaders);
  if (config.useXheaders) app.use((req, _res, next) => (applyForwardedHost(req), next()));
  app.use(requestContext(logger));
  // --num-procs N: which gateway process answered (for operators and the cluster tests).
  if (sessions) app.use((_req, res, next) => (res.setHeader("x-plothost-process", String(process.pid)), next()));
  app.use(timeRequests(isProxiedPath, [adminConsole.recordRequest, ops.metrics.record]));
  app.use(ops.health);
  app.get("/static/js/:file", bokehjsStatic());
  app.get("/favicon.ico", (_req, res) => void res.status(204).setHeader("cache-control", "public, max-age=86400").end());
  app.use(auth.authenticate);
  // Prometheus scrapes with an admin API token (`authorization: Bearer ...` in its scrape config).
  app.get("/metrics", (req, res, next) => {
    requireScope(req, "admin");
    ops.metrics.handler(req, res).catch(next);
  });
  app.get("/api/v1/admin/sandbox", (req, res) => {
    requireScope(req, "admin");
    res.json({ kind: sandbox.kind, layers, warnings: [...sandbox.warnings] });
  });
  // --runners: the worker hosts this gateway sees (address, host, workers), for operators.
  app.get("/api/v1/admin/runners", (req, res) => {
    requireScope(req, "admin");
    res.json({ runners: runners?.runners() ?? [] });
  });
  app.use("/api/v1/docs", docs.api);
  app.use("/api/v1/apps", apps.api);
  app.use("/api/v1/admin/apps", apps.adminApi);
  app.use("/doc", docs.pages);
  app.use("/s", docs.linkPages);
  app.use(auth.routes);
  app.use(adminConsole.routes);
  if (!config.disableIndex) {
    const listApps = () => [...supervisors.values()].map((s) => ({ name: s.app.name, state: s.state }));
    app.get("/", auth.requireUser, indexRoute({ disableIndexRedirect: config.disableIndexRedirect, apps: listApps }));
  }
  app.use(auth.requireUser, proxy.http);
  app.use(apps.errorPage);
  app.use((req: Request, _res: Response, next: NextFunction) => next(new PlothostError("not_found", req.path)));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = toPlothostError(err);
    if (e.status >= 500) logger.error({ err, reqId: req.headers["x-request-id"] }, "request failed");
    if (res.headersSent) return void res.end();
    res.status(e.status).json(e.toJSON());
  });

  // --url-prefix: everything (pages, BokehJS, WebSockets, the API) lives under the prefix, as if mounted there.
  const prefix = config.urlPrefix;
  const root = prefix ? express().disable("x-powered-by").use(prefix, app).use((req: Request, res: Response) => {
    res.status(404).json(new PlothostError("not_found", req.path).toJSON());
  }) : app;
  const server = createServer(config, root);
  const inFlight = trackInFlight(server);
  /** WebSocket upgrades for plothost mounted at `mount`: published documents here, app sessions to their worker. */
  const upgradeAt = (mount: string) => (req: http.IncomingMessage, socket: import("node:stream").Duplex, head: Buffer) => {
    if (config.useXheaders) applyForwardedHost(req);
    const full = req.url ?? "/";
    req.url = full.slice(mount.length) || "/";
    if (adminConsole.upgrade(req, socket, head)) return;
    if (docs.sockets.handle(req, socket, head)) return;
    req.url = full;
    auth.upgrade((r, s, h) => proxy.upgradeAt(mount, r, s, h))(req, socket, head);
  };
  /** Upgrades under `prefix` are plothost's; the caller decides what happens to the others. */
  const upgradeUnder = (p: string) => (req: http.IncomingMessage, socket: import("node:stream").Duplex, head: Buffer): boolean => {
    const url = req.url ?? "/";
    if (url !== p && !url.startsWith(`${p}/`) && !url.startsWith(`${p}?`)) return false;
    upgradeAt(p)(req, socket, head);
    return true;
  };
  server.on("upgrade", (req: http.IncomingMessage, socket: import("node:stream").Duplex, head: Buffer) => {
    if (!upgradeUnder(prefix)(req, socket, head)) socket.end("HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
  });
  for (const s of supervisors.values()) void s.ready().catch(() => {});

  return {
    app, server, sandbox, supervisors, auth, apps,
    attach: (host, mount) => {
      const under = upgradeUnder(mount.replace(/\/+$/, ""));
      const onUpgrade = (req: http.IncomingMessage, socket: import("node:stream").Duplex, head: Buffer) => void under(req, socket, head);
      host.on("upgrade", onUpgrade);
      return () => void host.off("upgrade", onUpgrade);
    },
    listen: () => listen(server, config),
    ready: () => ops.ready(),
    close: async () => {
      // Graceful: /readyz turns 503, the listening socket closes (no new connections), idle keep-alive
      // connections end; then viewers and app sessions are closed with 1001 so their clients reconnect elsewhere.
      ops.drain();
      const stoppedListening = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Requests already taken are answered (bounded) before connections are cut: no write is left unacknowledged.
      const answered = inFlight.settle(Math.min(5000, config.shutdownTimeoutMs / 2));
      proxy.close();
      await apps.close();
      await runners?.close();
      await Promise.all([...supervisors.values()].map((s) => s.close()));
      await snapshots.close();
      await sessions?.close();
      // The sandbox's cleanup (the workers' cgroups) finishes here; a sandbox passed in belongs to the caller.
      if (!deps.sandbox) await sandbox.close();
      await answered;
      server.closeAllConnections();
      await adminConsole.close();
      await ops.close();
      await docs.close();
      // Only now: the server's close waits for every connection, upgraded ones (document viewers) included.
      await stoppedListening;
      await auth.close();
      await managedRedis?.close();
    },
  };
}
