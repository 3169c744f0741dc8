import express, { type Request, type RequestHandler, type Router } from "express";
import { PlothostError } from "../../../shared/errors/catalogue.ts";
import { requireScope } from "../auth/principal.ts";
import { ShortPathTakenError, type AppRecord, type AppStore } from "./app-store.ts";
import type { AppRouter } from "./app-router.ts";
import { APP_NAME } from "./apps-api.ts";

/** The gateway's own first path segments: never a short path. */
const RESERVED = new Set(["static", "api", "admin", "ws", "doc", "s", "login", "logout", "register", "favicon.ico"]);

/** What a short path must not shadow besides other apps' short paths. */
export interface ShortPathRules {
  /** A local app (`plothost serve app.ts`) serves at `/<name>`. */
  taken(segment: string): boolean;
  /** A user of that name has apps at `/<name>/<app>`. */
  isUser(name: string): Promise<boolean>;
}

export interface AppsAdminApiDeps {
  readonly store: AppStore;
  readonly router: AppRouter;
  readonly csrfCheck: RequestHandler;
  readonly rules: ShortPathRules;
}

/**
 * `/api/v1/admin/apps` (admins holding the `admin` scope): every user's deployed apps, and the short paths an
 * admin gives an owner's default app, so `/<shortPath>` serves what `/<owner>/<app>` serves (the page's own links
 * and WebSocket keep the long path). A short path is one URL segment that is no reserved path, local app, user
 * name or other app's short path; an app has at most one.
 * Deliberately absent: changing other users' apps in other ways (owners do that through `/api/v1/apps`).
 */
export function appsAdminApi(deps: AppsAdminApiDeps): Router {
  const { store, router } = deps;
  const api = express.Router();
  const json = express.json({ limit: "4kb" });
  const view = (a: AppRecord) => ({
    owner: a.owner, name: a.name, currentVersion: a.currentVersion, versions: a.versions.length, deleting: a.deleting,
    shortPath: a.shortPath, state: router.get(a.owner, a.name)?.state ?? (a.currentVersion === null ? "not_deployed" : "idle"),
  });
  const appOf = async (req: Request) => {
    requireScope(req, "admin");
    const app = await store.get(String(req.params.owner), String(req.params.name));
    if (!app) throw new PlothostError("app_not_found", `${req.params.owner} has no app named "${req.params.name}"`);
    return app;
  };

  api.get("/", async (req, res) => {
    requireScope(req, "admin");
    res.json({ apps: (await store.list()).map(view) });
  });

  api.put("/:owner/:name/short-path", json, deps.csrfCheck, async (req, res) => {
    const app = await appOf(req);
    const wanted = (req.body as { path?: unknown } | undefined)?.path;
    const segment = typeof wanted === "string" ? wanted.replace(/^\/+|\/+$/g, "") : "";
    if (!APP_NAME.test(segment)) throw new PlothostError("bad_request", `send {"path": "NAME"}: one URL segment of 1 to 64 letters, digits, - or _`);
    if (RESERVED.has(segment.toLowerCase()) || deps.rules.taken(segment) || (await deps.rules.isUser(segment))) {
      throw new PlothostError("short_path_taken", `/${segment} is a reserved path, a local app or a user's name`);
    }
    let updated: AppRecord;
    try {
      updated = await store.setShortPath(app.owner, app.name, segment);
    } catch (err) {
      if (err instanceof ShortPathTakenError) throw new PlothostError("short_path_taken", err.message);
      throw err;
    }
    router.setShortPath(app.owner, app.name, segment);
    res.json({ app: view(updated) });
  });

  api.delete("/:owner/:name/short-path", deps.csrfCheck, async (req, res) => {
    const app = await appOf(req);
    await store.setShortPath(app.owner, app.name, null);
    router.setShortPath(app.owner, app.name, null);
    res.status(204).end();
  });

  api.use((err: unknown, _req: Request, _res: unknown, next: (e?: unknown) => void) => {
    const type = (err as { type?: string } | null)?.type;
    if (typeof type === "string" && !(err instanceof PlothostError)) return next(new PlothostError("bad_request", "the body could not be parsed as JSON"));
    next(err);
  });
  return api;
}
