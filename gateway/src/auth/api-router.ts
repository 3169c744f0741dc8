import { Router, type Request, type Response } from "express";
import { PlothostError } from "../../../shared/errors/catalogue.ts";
import type { AccountService } from "./account-service.ts";
import type { CsrfProtection } from "./csrf.ts";
import { accountsErrors, clearSessionCookie, originOf, parseBodies, setSessionCookie, tokenJson, userJson } from "./http-helpers.ts";
import type { PasswordLogin } from "./password-login.ts";
import { requirePrincipal, requireScope } from "./principal.ts";
import type { TokenService } from "./token-service.ts";

/** What the accounts API needs. */
export interface ApiRouterDeps {
  accounts: AccountService;
  tokens: TokenService;
  passwordLogin: PasswordLogin;
  csrf: CsrfProtection;
  /** False in single-user mode and with an --auth-module: then register and login answer `login_not_here`. */
  passwords: boolean;
  secureCookies: boolean;
}

/**
 * `/api/v1`: register, login, logout, me, tokens. Login and register answer with the session's token (for
 * scripts) and set the session cookie (for browsers). The admin API is in admin-router.ts.
 */
export function apiRouter(deps: ApiRouterDeps): Router {
  const { accounts, tokens, passwordLogin, csrf } = deps;
  const r = Router();
  // Body parsing and the CSRF check run on these routes only: other /api/v1 routers (documents) see raw bodies.
  const body = [...parseBodies, csrf.check];

  const needPasswords = () => {
    if (!deps.passwords) throw new PlothostError("login_not_here");
  };
  const loggedIn = async (req: Request, res: Response, status: number, user: Parameters<typeof accounts.startSession>[0]) => {
    const session = await accounts.startSession(user);
    setSessionCookie(req, res, session, deps.secureCookies);
    csrf.tokenFor(req, res);
    res.status(status).json({ user: userJson(user), token: session.secret, expiresAt: session.token.expiresAt });
  };

  r.post("/register", body, async (req: Request, res: Response) => {
    needPasswords();
    const input = (req.body ?? {}) as Record<string, unknown>;
    const user = await accounts.createUser({ username: input.username, password: input.password }, originOf(req));
    await loggedIn(req, res, 201, user);
  });

  r.post("/login", body, async (req: Request, res: Response) => {
    needPasswords();
    await loggedIn(req, res, 200, await passwordLogin.authenticate(req, res));
  });

  r.post("/logout", body, async (req: Request, res: Response) => {
    const p = requirePrincipal(req);
    await accounts.endSession(p, originOf(req));
    clearSessionCookie(req, res, deps.secureCookies);
    res.status(204).end();
  });

  r.get("/me", async (req, res) => {
    const p = requireScope(req, "read");
    const user = await accounts.store.findUserById(p.userId);
    if (!user) throw new PlothostError("unauthenticated", "the account no longer exists");
    res.json({ user: userJson(user), via: p.via, scopes: [...p.scopes] });
  });

  r.get("/tokens", async (req, res) => {
    const p = requireScope(req, "read");
    res.json({ tokens: (await tokens.list(p)).map(tokenJson) });
  });

  r.post("/tokens", body, async (req: Request, res: Response) => {
    const p = requirePrincipal(req);
    const { secret, token } = await tokens.create(p, (req.body ?? {}) as Record<string, unknown>, originOf(req));
    res.status(201).json({ ...tokenJson(token), token: secret });
  });

  r.delete("/tokens/:id", body, async (req: Request, res: Response) => {
    await tokens.revoke(requirePrincipal(req), req.params.id, originOf(req));
    res.status(204).end();
  });

  r.use(accountsErrors);
  return r;
}
