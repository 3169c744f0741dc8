/**
 * Gateway composition root: wires config, logger, sandbox, one supervisor per app, the BokehJS static files and
 * the proxy into an express 5 app and an HTTP server. Everything it creates is closed by `close()`.
 */
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import express, { type Request, type Response, type NextFunction } from "express";
import type { GatewayConfig } from "../../shared/config/index.ts";
import { PlothostError, toPlothostError } from "../../shared/errors/catalogue.ts";
import type { Logger } from "../../shared/logging/create-logger.ts";
import { createSandbox, type Sandbox } from "./sandbox/index.ts";
import { NODE_HARDENING_LAYERS } from "./sandbox/node-hardening.ts";
import { TenantIdentities } from "./sandbox/tenant-identities.ts";
import { requireScope } from "./auth/principal.ts";
import { WorkerSupervisor } from "./worker-supervisor.ts";
import { AppProxy } from "./app-proxy.ts";
import { bokehjsStatic } from "./static-bokehjs.ts";
import { requestContext } from "./request-context.ts";
import { indexPage } from "./index-page.ts";
import { createAuth, type Auth } from "./auth/create-auth.ts";
import { createDocs } from "./docs/create-docs.ts";
import { docsAuth } from "./docs/docs-auth.ts";
import { ensureRedis } from "./redis/managed-redis.ts";
import { createApps, type Apps } from "./apps/create-apps.ts";
import { createAdminConsole } from "./admin/create-admin-console.ts";

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
  close(): Promise<void>;
}

export async function createGateway(config: GatewayConfig, logger: Logger, deps: { sandbox?: Sandbox } = {}): Promise<Gateway> {
  const sandbox = deps.sandbox ?? (await createSandbox({ prefer: config.sandbox }));
  // Each app gets its own uid (as root) and 0700 home; the workers add Node's own limits to the sandbox's layers.
  const tenants = new TenantIdentities({ dir: path.join(config.dataDir, "sandbox"), ...config.workerUidRange });
  const { first, count } = config.workerUidRange;
  const layers = [
    ...sandbox.layers, ...(process.getuid?.() === 0 ? [`uid:per-app:${first}-${first + count - 1}`] : []), ...NODE_HARDENING_LAYERS,
  ];
  logger.info({ sandbox: sandbox.kind, layers }, "sandbox selected");
  for (const w of sandbox.warnings) logger.warn({ sandbox: sandbox.kind }, w);
  const managedRedis = await ensureRedis(config, logger);
  const auth = await createAuth(config, logger);
  const docs = await createDocs(config, logger, docsAuth(auth), auth.db);

  const supervisors = new Map(config.apps.map((a) => [a.name, new WorkerSupervisor(a, { sandbox, config, logger, userHeaderKey: auth.userHeaderPublicKey, tenants })]));
  const adminConsole = createAdminConsole({ config, logger, auth, docs: docs.store, supervisors });
  const apps = await createApps(config, logger, { sandbox, csrfCheck: auth.csrfCheck, userHeaderKey: auth.userHeaderPublicKey, tenants });
  const proxy = new AppProxy(supervisors, {
    logger, allowWebsocketOrigins: config.allowWebsocketOrigins, readyTimeoutMs: config.workerStartTimeoutMs,
    resolve: apps.resolve,
  });

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", false);
  app.use(requestContext(logger));
  app.use(adminConsole.observeRequests);
  app.get("/static/js/:file", bokehjsStatic());
  app.get("/favicon.ico", (_req, res) => void res.status(204).setHeader("cache-control", "public, max-age=86400").end());
  app.use(auth.authenticate);
  app.get("/api/v1/admin/sandbox", (req, res) => {
    requireScope(req, "admin");
    res.json({ kind: sandbox.kind, layers, warnings: [...sandbox.warnings] });
  });
  app.use("/api/v1/docs", docs.api);
  app.use("/api/v1/apps", apps.api);
  app.use("/doc", docs.pages);
  app.use("/s", docs.linkPages);
  app.use(auth.routes);
  app.use(adminConsole.routes);
  app.get("/", auth.requireUser, (_req, res) => {
    res.type("html").send(indexPage([...supervisors.values()].map((s) => ({ name: s.app.name, state: s.state }))));
  });
  app.use(auth.requireUser, proxy.http);
  app.use(apps.errorPage);
  app.use((req: Request, _res: Response, next: NextFunction) => next(new PlothostError("not_found", req.path)));
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = toPlothostError(err);
    if (e.status >= 500) logger.error({ err, reqId: req.headers["x-request-id"] }, "request failed");
    if (res.headersSent) return void res.end();
    res.status(e.status).json(e.toJSON());
  });

  const server = http.createServer(app);
  /** WebSocket upgrades for plothost mounted at `mount`: published documents here, app sessions to their worker. */
  const upgradeAt = (mount: string) => (req: http.IncomingMessage, socket: import("node:stream").Duplex, head: Buffer) => {
    const full = req.url ?? "/";
    req.url = full.slice(mount.length) || "/";
    if (adminConsole.upgrade(req, socket, head)) return;
    if (docs.sockets.handle(req, socket, head)) return;
    req.url = full;
    auth.upgrade((r, s, h) => proxy.upgradeAt(mount, r, s, h))(req, socket, head);
  };
  server.on("upgrade", upgradeAt(""));
  for (const s of supervisors.values()) void s.ready().catch(() => {});

  return {
    app, server, sandbox, supervisors, auth, apps,
    attach: (host, mount) => {
      const prefix = mount.replace(/\/+$/, "");
      const onUpgrade = (req: http.IncomingMessage, socket: import("node:stream").Duplex, head: Buffer) => {
        const url = req.url ?? "/";
        if (url === prefix || url.startsWith(`${prefix}/`)) upgradeAt(prefix)(req, socket, head);
      };
      host.on("upgrade", onUpgrade);
      return () => void host.off("upgrade", onUpgrade);
    },
    listen: () => new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.port, config.address, () => {
        server.off("error", reject);
        const { port } = server.address() as AddressInfo;
        const host = ["127.0.0.1", "0.0.0.0", "::", "::1"].includes(config.address) ? "localhost" : config.address;
        resolve({ port, url: `http://${host}:${port}` });
      });
    }),
    close: async () => {
      proxy.close();
      await apps.close();
      await Promise.all([...supervisors.values()].map((s) => s.close()));
      // The sandbox's cleanup (the workers' cgroups) finishes here; a sandbox passed in belongs to the caller.
      if (!deps.sandbox) await sandbox.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await adminConsole.close();
      await docs.close();
      await auth.close();
      await managedRedis?.close();
    },
  };
}
