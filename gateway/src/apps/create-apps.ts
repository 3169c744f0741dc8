import path from "node:path";
import type http from "node:http";
import type { ErrorRequestHandler, RequestHandler, Router } from "express";
import type { GatewayConfig } from "../../../shared/config/index.ts";
import { PlothostError } from "../../../shared/errors/catalogue.ts";
import type { Logger } from "../../../shared/logging/create-logger.ts";
import { errorPage } from "../../../shared/session/page.ts";
import type { Sandbox } from "../sandbox/index.ts";
import type { TenantIdentities } from "../sandbox/tenant-identities.ts";
import { AppStore } from "./app-store.ts";
import { AppRouter, type RouteTarget } from "./app-router.ts";
import { appsApi, incomingDirOf } from "./apps-api.ts";
import { appJobHandlers } from "./deploy-jobs.ts";
import { createJobQueue } from "./jobs/create-job-queue.ts";
import type { JobQueue } from "./jobs/job-queue.ts";
import { WorkerPool } from "./worker-pool.ts";

/** Deployed apps, wired: their store, the job queue running deploys, the router to their workers, the API. */
export interface Apps {
  readonly store: AppStore;
  readonly router: AppRouter;
  readonly queue: JobQueue;
  /** `/api/v1/apps`. */
  readonly api: Router;
  /** For the app proxy: the deployed app serving `/<user>/<app>/...`, if any. */
  resolve(req: http.IncomingMessage, pathname: string): RouteTarget | undefined;
  /** Renders `app_crashed` / `app_unavailable` as a page for browsers (after the proxy); others get the JSON. */
  readonly errorPage: ErrorRequestHandler;
  close(): Promise<void>;
}

/** Job retries: 3 attempts, 1 s then 2 s apart (permanent failures such as compile errors are not retried). */
const RETRY = { attempts: 3, backoffMs: 1000 };
const MAX_ENTRIES = 10_000;

export async function createApps(
  config: GatewayConfig, logger: Logger,
  deps: { sandbox: Sandbox; csrfCheck: RequestHandler; userHeaderKey: string; tenants?: TenantIdentities },
): Promise<Apps> {
  const log = logger.child({ component: "apps" });
  const root = path.join(config.dataDir, "deployments");
  const store = AppStore.open(root);
  const router = new AppRouter();
  const queue = createJobQueue(config.jobQueue === "redis"
    ? { kind: "redis", redisUrl: config.redisUrl, prefix: config.jobQueuePrefix, retry: RETRY }
    : { kind: "local", retry: RETRY });
  const limits = { maxBytes: config.maxAppBytes, maxEntries: MAX_ENTRIES };
  const makePool = (app: { owner: string; name: string }, v: { version: number; format: string; entry: string }) => {
    const appDir = store.versionPaths(app.owner, app.name, v.version).app;
    return new WorkerPool({
      name: `${app.owner}/${app.name}`, path: v.format === "directory" ? appDir : path.join(appDir, v.entry),
      prefix: `/${app.owner}/${app.name}`, cacheDir: store.cacheDir(app.owner, app.name),
    }, { sandbox: deps.sandbox, config, logger, userHeaderKey: deps.userHeaderKey, tenants: deps.tenants, log: router.logFor(app.owner, app.name) },
    { minProcs: config.appMinProcs, maxProcs: config.appMaxProcs });
  };
  await queue.start(appJobHandlers({ store, router, makePool, addJob: (n, d) => queue.add(n, d), limits, logger: log }));
  log.info({ jobQueue: queue.kind, apps: store.list().length }, "deployed apps ready");

  // Serve what was deployed before a restart (workers start on the first request, or now for --min-procs);
  // finish deletes a restart interrupted.
  for (const app of store.list()) {
    if (app.deleting) {
      await queue.add("cleanup", { owner: app.owner, name: app.name });
      continue;
    }
    const v = app.versions.find((x) => x.version === app.currentVersion);
    if (!v) continue;
    const pool = makePool(app, v);
    router.swap(app.owner, app.name, pool);
    if (config.appMinProcs > 0) pool.warmUp().catch((err: Error) => log.error({ err, app: `${app.owner}/${app.name}` }, "could not start app"));
  }

  return {
    store, router, queue,
    api: appsApi({
      store, router, queue, incomingDir: incomingDirOf(root), maxArchiveBytes: config.maxArchiveBytes, limits, csrfCheck: deps.csrfCheck,
    }),
    resolve: (req, pathname) => router.resolve(req, pathname),
    errorPage: (err, req, res, next) => {
      const code = err instanceof PlothostError ? err.code : null;
      if ((code !== "app_crashed" && code !== "app_unavailable") || res.headersSent || req.accepts(["json", "html"]) !== "html") return next(err);
      const e = err as PlothostError;
      res.status(e.status).type("html").send(errorPage({
        status: e.status, title: code === "app_crashed" ? "This app has crashed" : "This app is not available right now", message: e.message,
      }));
    },
    close: async () => {
      await queue.close();
      await router.close();
    },
  };
}
