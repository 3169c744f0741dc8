/**
 * Gateway composition root: wires config, logger, sandbox, one supervisor per app, the BokehJS static files and
 * the proxy into an express 5 app and an HTTP server. Everything it creates is closed by `close()`.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import express, { type Request, type Response, type NextFunction } from "express";
import type { GatewayConfig } from "../../shared/config/index.ts";
import { PlothostError, toPlothostError } from "../../shared/errors/catalogue.ts";
import type { Logger } from "../../shared/logging/create-logger.ts";
import { createSandbox, type Sandbox } from "./sandbox/index.ts";
import { WorkerSupervisor } from "./worker-supervisor.ts";
import { AppProxy } from "./app-proxy.ts";
import { bokehjsStatic } from "./static-bokehjs.ts";
import { requestContext } from "./request-context.ts";
import { indexPage } from "./index-page.ts";
import { createAuth, type Auth } from "./auth/create-auth.ts";
import { createDocs } from "./docs/create-docs.ts";
import { docsAuth } from "./docs/docs-auth.ts";
import { ensureRedis } from "./redis/managed-redis.ts";

export interface Gateway {
  readonly app: express.Express;
  readonly server: http.Server;
  readonly sandbox: Sandbox;
  readonly supervisors: ReadonlyMap<string, WorkerSupervisor>;
  /** Accounts: who each request is, the accounts API and pages (gateway/src/auth). */
  readonly auth: Auth;
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
  logger.info({ sandbox: sandbox.kind, layers: sandbox.layers }, "sandbox selected");
  for (const w of sandbox.warnings) logger.warn({ sandbox: sandbox.kind }, w);
  const managedRedis = await ensureRedis(config, logger);
  const auth = await createAuth(config, logger);
  const docs = await createDocs(config, logger, docsAuth(auth), auth.db);

  const supervisors = new Map(config.apps.map((a) => [a.name, new WorkerSupervisor(a, { sandbox, config, logger, userHeaderKey: auth.userHeaderPublicKey })]));
  const proxy = new AppProxy(supervisors, {
    logger, allowWebsocketOrigins: config.allowWebsocketOrigins, readyTimeoutMs: config.workerStartTimeoutMs,
  });

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", false);
  app.use(requestContext(logger));
  app.get("/static/js/:file", bokehjsStatic());
  app.get("/favicon.ico", (_req, res) => void res.status(204).setHeader("cache-control", "public, max-age=86400").end());
  app.use(auth.authenticate);
  app.use("/api/v1/docs", docs.api);
  app.use("/doc", docs.pages);
  app.use("/s", docs.linkPages);
  app.use(auth.routes);
  app.get("/", auth.requireUser, (_req, res) => {
    res.type("html").send(indexPage([...supervisors.values()].map((s) => ({ name: s.app.name, state: s.state }))));
  });
  app.use(auth.requireUser, proxy.http);
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
    if (docs.sockets.handle(req, socket, head)) return;
    req.url = full;
    auth.upgrade((r, s, h) => proxy.upgradeAt(mount, r, s, h))(req, socket, head);
  };
  server.on("upgrade", upgradeAt(""));
  for (const s of supervisors.values()) void s.ready().catch(() => {});

  return {
    app, server, sandbox, supervisors, auth,
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
      await Promise.all([...supervisors.values()].map((s) => s.close()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await docs.close();
      await auth.close();
      await managedRedis?.close();
    },
  };
}
