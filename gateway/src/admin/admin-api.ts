import { Router, type NextFunction, type Request, type RequestHandler, type Response } from "express";
import { accountsErrors, originOf, parseBodies } from "../auth/http-helpers.ts";
import { PlothostError } from "../../../shared/errors/catalogue.ts";
import { requireScope } from "../auth/principal.ts";
import type { ConsoleService } from "./console-service.ts";

const str = (v: unknown): string => (typeof v === "string" ? v : "");
const int = (v: unknown): number | undefined => (typeof v === "string" && /^\d{1,9}$/.test(v) ? Number(v) : undefined);
const body = (req: Request): Record<string, unknown> => (req.body ?? {}) as Record<string, unknown>;

/** The site's base URL as the client sees it, for document links. */
export const siteUrl = (req: Request, mount: string): string => `${req.protocol}://${req.get("host") ?? "localhost"}${mount}`;

/**
 * The admin console's own endpoints under `/api/v1/admin` (next to the accounts router's `/users`): user
 * summaries, token revocation, every published document, the served apps' workers, live sessions, the audit log
 * and the overview's numbers. Admin role and `admin` scope required; cookie-riding writes need the CSRF token.
 * The console's pages act only through these and the accounts admin API, exactly as a script with a token can.
 */
export function adminApi(deps: { service: ConsoleService; csrfCheck: RequestHandler }): Router {
  const { service } = deps;
  const r = Router();
  r.use(parseBodies, deps.csrfCheck, (req: Request, _res: Response, next: NextFunction) => {
    requireScope(req, "admin");
    next();
  });
  const mount = (req: Request) => req.baseUrl.replace(/\/api\/v1\/admin$/, "");

  r.get("/overview", async (_req, res: Response) => {
    res.json(await service.counts());
  });

  r.get("/user-summaries", async (req, res) => {
    const status = str(req.query.status);
    res.json(await service.users({
      q: str(req.query.q), status: ["admin", "user", "disabled"].includes(status) ? (status as "admin") : "",
      page: int(req.query.page), perPage: int(req.query.perPage),
    }));
  });

  r.delete("/users/:name/tokens", async (req, res) => {
    res.json({ revoked: await service.revokeTokens(String(req.params.name), originOf(req)) });
  });

  r.get("/docs", async (req, res) => {
    const visibility = str(req.query.visibility);
    res.json({
      documents: await service.docs({
        q: str(req.query.q), owner: str(req.query.owner),
        visibility: ["private", "public", "shared"].includes(visibility) ? (visibility as "public") : "",
      }, siteUrl(req, mount(req))),
    });
  });

  r.patch("/docs/:id", async (req, res) => {
    const b = body(req);
    res.json(await service.updateDoc(String(req.params.id), { visibility: b.visibility, sharedWith: b.sharedWith }, originOf(req), siteUrl(req, mount(req))));
  });

  r.delete("/docs/:id", async (req, res) => {
    await service.deleteDoc(String(req.params.id), originOf(req));
    res.status(204).end();
  });

  r.get("/workers", async (_req, res) => {
    res.json({ apps: await service.apps() });
  });

  // Command-line apps are `/workers/demo/...`; deployed apps `/workers/alice/sales/...`.
  const appName = (req: Request) => (req.params.owner ? `${String(req.params.owner)}/${String(req.params.app)}` : String(req.params.app));
  for (const action of ["start", "stop", "restart"] as const) {
    r.post([`/workers/:app/${action}`, `/workers/:owner/:app/${action}`], async (req, res) => {
      res.status(202).json(await service.appAction(appName(req), action, originOf(req)));
    });
  }

  r.post("/workers/:owner/:app/rollback", async (req, res) => {
    res.status(202).json(await service.rollbackApp(appName(req), body(req).version, originOf(req)));
  });

  r.get(["/workers/:app/logs", "/workers/:owner/:app/logs"], async (req, res) => {
    const name = appName(req);
    const row = (await service.apps()).find((a) => a.name === name);
    if (!row) throw new PlothostError("app_not_found", name);
    res.json({ app: name, lines: row.logTail });
  });

  r.get("/sessions", (_req, res) => {
    res.json({ sessions: service.sessions() });
  });

  r.delete("/sessions/:id", async (req, res) => {
    await service.endSession(String(req.params.id), originOf(req));
    res.status(204).end();
  });

  r.get("/audit", async (req, res) => {
    res.json(await service.audit({
      actor: str(req.query.actor), action: str(req.query.action), target: str(req.query.target), before: int(req.query.before), limit: int(req.query.limit),
    }));
  });

  r.use(accountsErrors);
  return r;
}
