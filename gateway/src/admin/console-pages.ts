import { randomUUID } from "node:crypto";
import { Router, type NextFunction, type Request, type Response } from "express";
import { PlothostError } from "../../../shared/errors/catalogue.ts";
import { autoloadScript } from "../../../shared/session/page.ts";
import { consoleAssets } from "../../../web-admin/assets.ts";
import { appsPage } from "../../../web-admin/pages/apps-page.ts";
import { auditPage } from "../../../web-admin/pages/audit-page.ts";
import { docsPage } from "../../../web-admin/pages/docs-page.ts";
import { forbiddenPage, type PageFrame } from "../../../web-admin/pages/layout.ts";
import { overviewPage } from "../../../web-admin/pages/overview-page.ts";
import { sessionsPage } from "../../../web-admin/pages/sessions-page.ts";
import { usersPage } from "../../../web-admin/pages/users-page.ts";
import type { SandboxStatus } from "../../../web-admin/view-types.ts";
import { principalOf } from "../auth/principal.ts";
import { siteUrl } from "./admin-api.ts";
import type { ConsoleService } from "./console-service.ts";
import { OVERVIEW_PATH, type OverviewHost } from "./overview-host.ts";

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const int = (v: unknown): number | undefined => (typeof v === "string" && /^\d{1,9}$/.test(v) ? Number(v) : undefined);

/**
 * The console's pages under `/admin` (after `requireUser`, which sends anonymous browsers to the login page):
 * Overview, Users, Apps, Sessions, Documents, Audit log, the console's script and stylesheet, and the
 * overview's autoload.js. Anyone but an admin holding the `admin` scope gets a 403 page. The pages read through
 * the same service as the API; every change they offer is a call to the admin API from the page's script.
 */
export function consolePages(deps: {
  service: ConsoleService;
  overview: OverviewHost;
  csrfToken: (req: Request, res: Response) => string;
  /** Shown as a warning on every page when tenants are not isolated. */
  sandbox: SandboxStatus;
}): Router {
  const { service } = deps;
  const r = Router();
  const mount = (req: Request) => req.baseUrl.replace(/\/admin$/, "");

  r.use((req: Request, res: Response, next: NextFunction) => {
    const p = principalOf(req);
    if (p && p.role === "admin" && p.scopes.has("admin")) return next();
    if (!p) return next(new PlothostError("unauthenticated"));
    res.status(403).type("html").setHeader("cache-control", "no-store")
      .send(forbiddenPage({ base: mount(req), username: p.username, tokenLacksScope: p.role === "admin" }));
  });

  const frame = async (req: Request, res: Response): Promise<PageFrame> => {
    const p = principalOf(req)!;
    return {
      base: mount(req), csrf: deps.csrfToken(req, res), username: p.username, loggedIn: p.via === "session",
      assetsVersion: (await consoleAssets()).version, sandbox: deps.sandbox,
    };
  };
  const send = (res: Response, html: string) => void res.type("html").setHeader("cache-control", "no-store").send(html);

  r.get("/assets/console.js", async (req, res) => {
    const a = await consoleAssets();
    res.type("application/javascript").setHeader("cache-control", req.query.v === a.version ? "private, max-age=31536000, immutable" : "no-cache").send(a.js);
  });
  r.get("/assets/console.css", async (req, res) => {
    const a = await consoleAssets();
    res.type("text/css").setHeader("cache-control", req.query.v === a.version ? "private, max-age=31536000, immutable" : "no-cache").send(a.css);
  });

  r.get("/", async (req, res) => {
    const elementId = `overview-${randomUUID()}`;
    const scriptUrl = `${mount(req)}${OVERVIEW_PATH}/autoload.js?bokeh-autoload-element=${elementId}`;
    send(res, overviewPage(await frame(req, res), await service.counts(), { elementId, scriptUrl }));
  });

  r.get("/overview/autoload.js", (req, res) => {
    const elementId = req.query["bokeh-autoload-element"];
    if (typeof elementId !== "string" || !elementId) throw new PlothostError("bad_request", "autoload.js needs ?bokeh-autoload-element=<element id>");
    res.type("application/javascript").setHeader("cache-control", "no-store");
    res.send(autoloadScript({
      token: deps.overview.token(), elementId, appPath: `${mount(req)}${OVERVIEW_PATH}`, absoluteUrl: null,
      staticPrefix: `${mount(req)}/static`, loadResources: true,
    }));
  });

  r.get("/users", async (req, res) => {
    const status = str(req.query.status);
    const valid = ["admin", "user", "disabled"].includes(status) ? (status as "admin") : "";
    const page = await service.users({ q: str(req.query.q), status: valid, page: int(req.query.page), perPage: int(req.query.perPage) });
    send(res, usersPage(await frame(req, res), page, valid));
  });

  r.get("/apps", async (req, res) => {
    send(res, appsPage(await frame(req, res), await service.apps()));
  });

  r.get("/sessions", async (req, res) => {
    send(res, sessionsPage(await frame(req, res), service.sessions(), Date.now()));
  });

  r.get("/docs", async (req, res) => {
    const vis = str(req.query.visibility);
    const filter = { q: str(req.query.q), owner: str(req.query.owner).trim(), visibility: ["private", "public", "shared"].includes(vis) ? (vis as "public") : "" as const };
    send(res, docsPage(await frame(req, res), await service.docs(filter, siteUrl(req, mount(req))), filter));
  });

  r.get("/audit", async (req, res) => {
    const page = await service.audit({ actor: str(req.query.actor), action: str(req.query.action), target: str(req.query.target), before: int(req.query.before) });
    send(res, auditPage(await frame(req, res), page));
  });

  return r;
}
