import { Router, type Request, type Response, type NextFunction } from "express";
import type { AccountService } from "./account-service.ts";
import type { AdminService } from "./admin-service.ts";
import type { CsrfProtection } from "./csrf.ts";
import { accountsErrors, originOf, parseBodies, userJson } from "./http-helpers.ts";
import { requireScope } from "./principal.ts";

/**
 * `/api/v1/admin/users`: user management. Every route needs an admin holding a credential with the `admin`
 * scope (a normal user gets 403 admin_required; an admin's token without the scope, 403 insufficient_scope).
 */
export function adminRouter(deps: { accounts: AccountService; admin: AdminService; csrf: CsrfProtection }): Router {
  const { accounts, admin, csrf } = deps;
  const r = Router();
  r.use(parseBodies, csrf.check, (req: Request, _res: Response, next: NextFunction) => {
    requireScope(req, "admin");
    next();
  });

  r.get("/users", async (_req, res) => {
    res.json({ users: (await admin.listUsers()).map(userJson) });
  });

  r.post("/users", async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const user = await accounts.createUser({ username: body.username, password: body.password, role: body.role }, originOf(req), true);
    res.status(201).json({ user: userJson(user) });
  });

  r.patch("/users/:name", async (req, res) => {
    res.json({ user: userJson(await admin.update(req.params.name, (req.body ?? {}) as Record<string, unknown>, originOf(req))) });
  });

  r.post("/users/:name/password", async (req, res) => {
    await admin.resetPassword(req.params.name, ((req.body ?? {}) as Record<string, unknown>).password, originOf(req));
    res.status(204).end();
  });

  r.delete("/users/:name", async (req, res) => {
    await admin.remove(req.params.name, originOf(req));
    res.status(204).end();
  });

  r.use(accountsErrors);
  return r;
}
