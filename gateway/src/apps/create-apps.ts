import path from "node:path";
import type http from "node:http";
import type { ErrorRequestHandler, RequestHandler, Router } from "express";
import type { GatewayConfig } from "../../../shared/config/index.ts";
import { PlothostError } from "../../../shared/errors/catalogue.ts";
import type { Logger } from "../../../shared/logging/create-logger.ts";
import { errorPage } from "../../../shared/session/page.ts";
import type { Sandbox } from "../sandbox/index.ts";
import type { TenantIdentities } from "../sandbox/tenant-identities.ts";
import fs from "node:fs";
import type { Db } from "../db/prisma-client.ts";
import type { AppStore } from "./app-store.ts";
import { PrismaAppStore } from "./prisma-app-store.ts";
import { AppRouter, type RouteTarget } from "./app-router.ts";
import { appsApi, incomingDirOf } from "./apps-api.ts";
import { appsAdminApi, type ShortPathRules } from "./apps-admin-api.ts";
import { appJobHandlers } from "./deploy-jobs.ts";
import { createJobQueue } from "./jobs/create-job-queue.ts";
import { dataDirId } from "./data-dir-id.ts";
import type { JobQueue } from "./jobs/job-queue.ts";
import { WorkerPool } from "./worker-pool.ts";
import type { SupervisorDeps } from "../worker-supervisor.ts";
import { RedisAppChanges } from "../cluster/app-changes.ts";
import { ClusterAppRouter } from "../cluster/cluster-app-router.ts";
import type { RunnerDirectory } from "../runner/runner-directory.ts";
import { RemoteWorker } from "../runner/remote-worker.ts";
import { appFilesKey } from "../runner/runner-protocol.ts";

/** Deployed apps, wired: their store, the job queue running deploys, the router to their workers, the API. */
export interface Apps {
  readonly store: AppStore;
  readonly router: AppRouter;
  readonly queue: JobQueue;
  /** `/api/v1/apps`. */
  readonly api: Router;
  /** `/api/v1/admin/apps`: every user's apps, and their short paths. */
  readonly adminApi: Router;
  /**
   * Removes all of a user's apps at once (for deleting the user): stops their workers, forgets their records and
   * queues cleanup jobs for their files. Resolves with how many there were.
   */
  removeOwner(owner: string): Promise<number>;
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
  deps: {
    sandbox: Sandbox; csrfCheck: RequestHandler; userHeaderKey: string; tenants?: TenantIdentities;
    /** The accounts database, where the app records live. */
    db: Db;
    /** What a short path must not shadow: the local apps' names. */
    shortPaths?: Pick<ShortPathRules, "taken">;
    /** Sessions made and ended by the apps' workers (`--num-procs`' session registry). */
    onSession?: SupervisorDeps["onSession"];
    /** How workers are launched (`--node-permission`); default: from source through tsx. */
    launcher?: SupervisorDeps["launcher"];
    /** `--runners`: the apps' workers run on runners, placed through this directory. */
    runners?: RunnerDirectory;
    /** Where restorable apps' sessions are saved (gateway/src/sessions). */
    snapshots?: SupervisorDeps["snapshots"];
  },
): Promise<Apps> {
  const log = logger.child({ component: "apps" });
  const root = path.join(config.dataDir, "deployments");
  const store: AppStore = new PrismaAppStore(deps.db, root);
  // --num-procs N: deploys, stops and short paths made by one gateway process are applied by the others too.
  const changes = config.numProcs > 1 || config.runners ? new RedisAppChanges({ url: config.redisUrl, prefix: config.redisPrefix }) : null;
  const router = changes ? new ClusterAppRouter({ maxMs: config.appDrainTimeoutMs }, changes) : new AppRouter({ maxMs: config.appDrainTimeoutMs });
  const queue = createJobQueue(config.jobQueue === "redis"
    // Deploy jobs run where the uploaded archive is: on a gateway sharing this data directory (not on a replica
    // with a directory of its own, which shares the Redis).
    ? { kind: "redis", redisUrl: config.redisUrl, prefix: config.jobQueuePrefix, retry: RETRY, name: `apps-${dataDirId(config.dataDir)}` }
    : { kind: "local", retry: RETRY });
  const limits = { maxBytes: config.maxAppBytes, maxEntries: MAX_ENTRIES };
  const runners = deps.runners;
  const makePool = (app: { owner: string; name: string }, v: { version: number; format: string; entry: string }) => {
    const paths = store.layout.versionPaths(app.owner, app.name, v.version);
    const appDir = paths.app;
    // --runners: each worker is placed on a runner, which gets the version's archive through Redis.
    const makeWorker = runners ? (_spec: unknown, d: SupervisorDeps) => new RemoteWorker({
      owner: app.owner, name: app.name, version: v.version, format: v.format, entry: v.entry, archive: paths.archive,
      filesKey: appFilesKey(config.redisPrefix, app.owner, app.name, v.version),
    }, {
      directory: runners, logger, userHeaderKey: deps.userHeaderKey, idleTimeoutMs: d.idleTimeoutMs ?? config.workerIdleTimeoutMs,
      startTimeoutMs: config.workerStartTimeoutMs, onLogLine: d.onLogLine,
    }) : undefined;
    return new WorkerPool({
      name: `${app.owner}/${app.name}`, path: v.format === "directory" ? appDir : path.join(appDir, v.entry),
      prefix: `/${app.owner}/${app.name}`, cacheDir: store.layout.cacheDir(app.owner, app.name),
    }, { sandbox: deps.sandbox, config, logger, userHeaderKey: deps.userHeaderKey, tenants: deps.tenants, onSession: deps.onSession, launcher: deps.launcher, snapshots: deps.snapshots, log: router.logFor(app.owner, app.name), makeWorker },
    { minProcs: config.appMinProcs, maxProcs: config.appMaxProcs }, v.version);
  };
  await queue.start(appJobHandlers({
    store, router, makePool, addJob: (n, d) => queue.add(n, d), limits, logger: log, keepVersions: config.appKeepVersions,
  }));
  if (changes && router instanceof ClusterAppRouter) {
    await changes.subscribe((change) => void router.apply(change, async (owner, name, version) => {
      const app = await store.get(owner, name);
      const v = app?.versions.find((x) => x.version === version);
      return app && v && !app.deleting ? makePool(app, v) : null;
    }).catch((err: Error) => log.error({ err, app: `${change.owner}/${change.name}` }, "could not apply another gateway process's change")));
  }
  const deployed = await store.list();
  log.info({ jobQueue: queue.kind, apps: deployed.length }, "deployed apps ready");

  // Serve what was deployed before a restart (workers start on the first request, or now for --min-procs);
  // finish deletes a restart interrupted.
  for (const app of deployed) {
    if (app.deleting) {
      await queue.add("cleanup", { owner: app.owner, name: app.name });
      continue;
    }
    if (app.shortPath) router.setShortPath(app.owner, app.name, app.shortPath);
    const v = app.versions.find((x) => x.version === app.currentVersion);
    if (!v) continue;
    const pool = makePool(app, v);
    router.swap(app.owner, app.name, pool);
    if (config.appMinProcs > 0) pool.warmUp().catch((err: Error) => log.error({ err, app: `${app.owner}/${app.name}` }, "could not start app"));
  }
  // Files of deleted users' apps whose cleanup a restart interrupted.
  if (fs.existsSync(store.layout.trashDir)) {
    for (const entry of fs.readdirSync(store.layout.trashDir)) await queue.add("cleanup", { trash: path.join(store.layout.trashDir, entry) });
  }

  const removeOwner = async (owner: string): Promise<number> => {
    const apps = await store.list(owner);
    for (const app of apps) {
      await router.remove(app.owner, app.name)?.close();
      const trash = await store.discard(app.owner, app.name);
      await queue.add("cleanup", { trash });
      log.info({ app: `${app.owner}/${app.name}` }, "app removed with its owner");
    }
    return apps.length;
  };

  return {
    store, router, queue,
    api: appsApi({
      store, router, queue, incomingDir: incomingDirOf(root), maxArchiveBytes: config.maxArchiveBytes, limits, csrfCheck: deps.csrfCheck,
    }),
    adminApi: appsAdminApi({
      store, router, csrfCheck: deps.csrfCheck,
      rules: { taken: deps.shortPaths?.taken ?? (() => false), isUser: async (n) => (await deps.db.user.count({ where: { usernameKey: n.toLowerCase() } })) > 0 },
    }),
    removeOwner,
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
      await changes?.close();
      await queue.close();
      await router.close();
    },
  };
}
