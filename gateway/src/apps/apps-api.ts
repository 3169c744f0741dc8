import fs from "node:fs";
import path from "node:path";
import express, { type Request, type RequestHandler, type Response, type Router } from "express";
import { PlothostError } from "../../../shared/errors/catalogue.ts";
import { requireScope } from "../auth/principal.ts";
import type { AppRecord, AppStore } from "./app-store.ts";
import type { AppRouter } from "./app-router.ts";
import { inspectArchive, type ArchiveInfo, type ArchiveLimits } from "./archive.ts";
import type { JobQueue } from "./jobs/job-queue.ts";
import { receiveUpload } from "./multipart-upload.ts";

/** App names: one URL segment, like local apps. */
export const APP_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export interface AppsApiDeps {
  readonly store: AppStore;
  readonly router: AppRouter;
  readonly queue: JobQueue;
  /** Where uploads are written before they become a version (inside the data directory). */
  readonly incomingDir: string;
  readonly maxArchiveBytes: number;
  readonly limits: ArchiveLimits;
  /** The CSRF check for requests riding on the session cookie (auth.csrfCheck). */
  readonly csrfCheck: RequestHandler;
}

/** The name an archive suggests when the form has none: its directory, or its module's file name. */
function defaultName(info: ArchiveInfo): string {
  return info.root || (info.format === "module" ? info.entry.replace(/\.(m?[jt]s)$/, "") : "");
}

/**
 * The deploy API, `/api/v1/apps`. Every route acts on the caller's own apps (names are per user, served at
 * `/<user>/<app>`): other users' apps are not addressable, so only their owner sees an app's versions, deploys and
 * logs. Reading needs the `read` scope, changing `deploy`. Deploys, rollbacks and deletes are jobs: they answer
 * 202 with the job, whose progress `GET /:name/deploys/:id` shows.
 */
export function appsApi(deps: AppsApiDeps): Router {
  const { store, router, queue } = deps;
  const api = express.Router();
  const json = express.json({ limit: "16kb" });

  const baseUrl = (req: Request) => `${req.protocol}://${req.get("host") ?? "localhost"}${req.baseUrl.replace(/\/api\/v1\/apps$/, "")}`;
  const summary = (req: Request, a: AppRecord) => {
    const pool = router.get(a.owner, a.name);
    return {
      owner: a.owner, name: a.name, url: `${baseUrl(req)}/${a.owner}/${a.name}`,
      state: a.deleting ? "deleting" : a.currentVersion === null ? "not_deployed" : (pool?.state ?? "idle"),
      currentVersion: a.currentVersion, versions: a.versions.length, createdAt: a.createdAt, updatedAt: a.updatedAt,
      shortPath: a.shortPath, shortUrl: a.shortPath ? `${baseUrl(req)}/${a.shortPath}` : null,
    };
  };
  const detail = (req: Request, a: AppRecord) => ({
    ...summary(req, a), versions: a.versions, jobs: a.jobs, workers: router.get(a.owner, a.name)?.workerInfo ?? [],
  });
  /** The caller's app named in the URL, or 404. */
  const ownApp = async (req: Request, scope: "read" | "deploy") => {
    const who = requireScope(req, scope);
    const app = await store.get(who.username, String(req.params.name));
    if (!app) throw new PlothostError("app_not_found", `you have no app named "${req.params.name}"`);
    return app;
  };
  const accepted = async (res: Response, app: AppRecord, name: string, data: Record<string, unknown>) => {
    const job = await queue.add(name, { owner: app.owner, name: app.name, ...data });
    await store.addJob(app.owner, app.name, job.id);
    res.status(202).location(`${res.req.baseUrl}/${app.name}/deploys/${job.id}`);
    return job;
  };

  api.post("/", deps.csrfCheck, async (req, res) => {
    const who = requireScope(req, "deploy");
    const upload = await receiveUpload(req, { dir: deps.incomingDir, maxBytes: deps.maxArchiveBytes, fileField: "archive" });
    try {
      if (!upload.file) throw new PlothostError("bad_request", "the form needs a file field `archive` (a .tar.gz of the app)");
      const info = await inspectArchive(upload.file, deps.limits);
      const name = (upload.fields.name ?? "").trim() || defaultName(info);
      if (!APP_NAME.test(name)) throw new PlothostError("bad_request", `app names are 1 to 64 letters, digits, - or _, starting with a letter or digit (got "${name}")`);
      if ((await store.get(who.username, name))?.deleting) throw new PlothostError("app_deleting", name);
      const { app, version } = await store.addVersion(who.username, name, upload.file, info);
      const job = await accepted(res, app, "deploy", { version: version.version });
      res.json({ app: summary(req, (await store.get(app.owner, app.name))!), version: version.version, deploy: job });
    } finally {
      if (upload.file) fs.rmSync(upload.file, { force: true });
    }
  });

  api.get("/", async (req, res) => {
    const who = requireScope(req, "read");
    res.json({ apps: (await store.list(who.username)).map((a) => summary(req, a)) });
  });

  api.get("/:name", async (req, res) => void res.json(detail(req, await ownApp(req, "read"))));

  api.post("/:name/rollback", json, deps.csrfCheck, async (req, res) => {
    const app = await ownApp(req, "deploy");
    if (app.deleting) throw new PlothostError("app_deleting", app.name);
    const number = Number((req.body as { version?: unknown } | undefined)?.version);
    const version = app.versions.find((v) => v.version === number);
    if (!version) throw new PlothostError("version_not_found", `send {"version": N} with one of ${app.versions.map((v) => v.version).join(", ")}`);
    if (version.status === "failed") throw new PlothostError("bad_request", `version ${number} failed to deploy (${version.error}); roll back to a version that worked`);
    const job = await accepted(res, app, "deploy", { version: number, rollback: true });
    res.json({ app: summary(req, app), version: number, deploy: job });
  });

  api.delete("/:name", deps.csrfCheck, async (req, res) => {
    const app = await ownApp(req, "deploy");
    if (app.deleting) throw new PlothostError("app_deleting", app.name);
    await store.markDeleting(app.owner, app.name);
    const job = await accepted(res, app, "stop", { remove: true });
    res.json({ app: summary(req, (await store.get(app.owner, app.name))!), job });
  });

  api.get("/:name/deploys/:id", async (req, res) => {
    const app = await ownApp(req, "read");
    const job = app.jobs.includes(req.params.id) ? await queue.get(req.params.id) : null;
    if (!job) throw new PlothostError("deploy_not_found", req.params.id);
    res.json(job);
  });

  api.get("/:name/logs", async (req, res) => {
    const app = await ownApp(req, "read");
    res.json({ app: app.name, lines: router.logFor(app.owner, app.name).tail() });
  });

  // JSON body errors as catalogue errors.
  api.use((err: unknown, _req: Request, _res: Response, next: (e?: unknown) => void) => {
    const type = (err as { type?: string } | null)?.type;
    if (type === "entity.too.large") return next(new PlothostError("payload_too_large"));
    if (typeof type === "string" && !(err instanceof PlothostError)) return next(new PlothostError("bad_request", "the body could not be parsed as JSON"));
    next(err);
  });
  return api;
}

/** Where uploads wait: a private folder inside the deployments root (same file system, so versions are renamed in). */
export const incomingDirOf = (deploymentsRoot: string): string => path.join(deploymentsRoot, ".incoming");
