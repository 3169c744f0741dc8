import http from "node:http";
import type { Duplex } from "node:stream";
import { Router, type NextFunction, type Request, type Response } from "express";
import type { GatewayConfig } from "../../../shared/config/index.ts";
import { PlothostError } from "../../../shared/errors/catalogue.ts";
import type { Logger } from "../../../shared/logging/create-logger.ts";
import type { DocumentStore } from "../../../shared/storage/index.ts";
import type { Auth } from "../auth/create-auth.ts";
import type { MetricsSample, SandboxStatus } from "../../../web-admin/view-types.ts";
import { adminApi } from "./admin-api.ts";
import { AppsView, type SupervisedApp } from "./apps-view.ts";
import { consolePages } from "./console-pages.ts";
import { ConsoleService } from "./console-service.ts";
import { DeployedAppsView, type DeployedApps } from "./deployed-apps-view.ts";
import { LiveConnections } from "./live-connections.ts";
import { MetricsCollector, sumTotals } from "./metrics-collector.ts";
import { OverviewHost } from "./overview-host.ts";
import { RequestMetrics } from "./request-metrics.ts";
import type { RequestSink } from "../ops/request-timing.ts";

/**
 * The admin console as the gateway composition root wires it. Order in app.ts: `recordRequest` fed by the first
 * middleware (it times every request), `routes` after the accounts routes, and `upgrade` at the start of the WebSocket upgrade
 * handler (it records every session socket and serves the overview's own).
 */
export interface AdminConsole {
  /** Every answered HTTP request, timed (proxied ones for the latency chart); fed by `timeRequests`. */
  readonly recordRequest: RequestSink;
  /** `/api/v1/admin/...` (the console's endpoints) and the `/admin` pages. */
  readonly routes: Router;
  /**
   * Sees every WebSocket upgrade (its URL already below plothost's mount): records session sockets for the
   * Sessions page and the overview; handles the overview's socket itself (true), else returns false.
   */
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Live figures for `/metrics`: sessions and running workers now, workers' memory as last sampled, restarts. */
  stats(): Pick<MetricsSample, "sessions" | "appsRunning" | "workerMemoryBytes" | "restarts">;
  close(): Promise<void>;
}

/** Paths the gateway answers itself; every other request goes to an app's worker (`/<app>/...`, `/<user>/<app>/...`). */
const GATEWAY_PATHS = /^\/(?:static|api|admin|doc|s|login|register|logout|favicon\.ico|healthz|readyz|metrics)?(?:\/|$)/;

/** Whether a request path goes to an app's worker rather than being answered by the gateway. */
export const isProxiedPath = (path: string): boolean => !GATEWAY_PATHS.test(path);

export interface AdminConsoleDeps {
  config: GatewayConfig;
  logger: Logger;
  auth: Auth;
  docs: DocumentStore;
  /** Deletes a document with its share links (`Docs.deleteDocument`). */
  deleteDocument: (id: string, origin: string) => Promise<void>;
  supervisors: ReadonlyMap<string, SupervisedApp>;
  /** Every user's deployed apps (`createApps`); null when the gateway has none. */
  deployed: DeployedApps | null;
  /** The sandbox tenants run in: every console page warns when it does not isolate them. */
  sandbox: SandboxStatus;
  /** How often metrics are sampled (default 1000 ms). */
  sampleIntervalMs?: number;
}

export function createAdminConsole(deps: AdminConsoleDeps): AdminConsole {
  const { config, auth, supervisors } = deps;
  const log = deps.logger.child({ component: "admin" });
  const connections = new LiveConnections({ identify: (req) => auth.identify(req), rememberEndedMs: config.sessionTokenExpirationS * 1000 });
  const apps = new AppsView(supervisors, { connections });
  const deployed = deps.deployed ? new DeployedAppsView(deps.deployed, { connections }) : null;
  const totals = sumTotals(deployed ? [apps, deployed] : [apps]);
  const requests = new RequestMetrics({});
  const collector = new MetricsCollector({
    connections, apps: totals, requests, intervalMs: deps.sampleIntervalMs ?? 1000, keep: 600,
    onError: (err) => log.error({ err }, "metrics listener failed"),
  });
  const overview = new OverviewHost({
    collector, identify: (req) => auth.identify(req), logger: log, secretKey: config.signSessions ? config.secretKey : null,
    tokenExpirationS: config.sessionTokenExpirationS, maxMessageBytes: config.maxMessageBytes, keepAliveMs: config.keepAliveMs,
    allowWebsocketOrigins: config.allowWebsocketOrigins,
  });
  collector.start();
  const service = new ConsoleService({
    accounts: auth.accounts, docs: deps.docs, deleteDocument: deps.deleteDocument, connections, apps, deployed, collector,
  });

  const routes = Router();
  routes.use("/api/v1/admin", adminApi({ service, csrfCheck: auth.csrfCheck }));
  // requireUser runs at this level, not under "/admin", so its login redirect is relative to plothost's mount.
  routes.use((req: Request, res: Response, next: NextFunction) =>
    (req.path === "/admin" || req.path.startsWith("/admin/") ? auth.requireUser(req, res, next) : next()));
  routes.use("/admin", consolePages({ service, overview, csrfToken: auth.csrfToken, sandbox: deps.sandbox }));

  return {
    recordRequest: requests.record,
    routes,
    upgrade: (req, socket, head) => {
      const pathname = new URL(req.url ?? "/", "http://gateway.invalid").pathname;
      if (connections.isEnded(req)) {
        refuse(socket, new PlothostError("session_ended"));
        return true;
      }
      connections.observe(req, socket, pathname);
      return overview.handle(req, socket, head, pathname);
    },
    stats: () => ({ sessions: connections.countSessions(), appsRunning: totals.running, workerMemoryBytes: totals.memoryBytes, restarts: totals.restarts }),
    close: async () => {
      collector.close();
      apps.close();
      deployed?.close();
      connections.close();
      await overview.close();
    },
  };
}

function refuse(socket: Duplex, err: PlothostError): void {
  const body = JSON.stringify(err.toJSON());
  socket.end(`HTTP/1.1 ${err.status} ${http.STATUS_CODES[err.status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
