import { Router, type Request, type Response, type NextFunction } from "express";
import { PlothostError } from "../../../../shared/errors/catalogue.ts";
import type { AccountService } from "../account-service.ts";
import type { AuthModule } from "../auth-module.ts";
import type { CsrfProtection } from "../csrf.ts";
import { clearSessionCookie, originOf, parseBodies, setSessionCookie } from "../http-helpers.ts";
import { ThrottledError } from "../login-throttle.ts";
import type { PasswordLogin } from "../password-login.ts";
import { principalOf } from "../principal.ts";
import { loginPage, logoutPage, registerPage } from "./auth-pages.ts";

/** Where to go after logging in: a path on this site only (no `//host` or `https://` open redirects). */
export function safeNext(raw: unknown, base: string): string {
  if (typeof raw !== "string" || !raw.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\")) return `${base}/`;
  return raw;
}

export interface PagesRouterDeps {
  accounts: AccountService;
  passwordLogin: PasswordLogin;
  csrf: CsrfProtection;
  multiUser: boolean;
  allowRegistration: boolean;
  authModule: AuthModule | null;
  secureCookies: boolean;
}

/**
 * `/login`, `/register`, `/logout` for browsers. Forms post back to the same path; success sets the session
 * cookie and redirects (303) to `next`; failure re-renders the form with the error inline and the error's
 * HTTP status. In single-user mode they redirect home (nobody logs in); with an --auth-module they hand over
 * to its login and logout URLs.
 */
export function pagesRouter(deps: PagesRouterDeps): Router {
  const { accounts, passwordLogin, csrf, authModule } = deps;
  const r = Router();
  const base = (req: Request) => req.baseUrl;
  const html = (res: Response, status: number, body: string) => void res.status(status).type("html").setHeader("cache-control", "no-store").send(body);
  const handOver = (req: Request, res: Response, next: NextFunction) => {
    if (!deps.multiUser) return res.redirect(303, `${base(req)}/`);
    if (authModule) {
      const target = safeNext(req.query.next, base(req));
      return res.redirect(303, `${authModule.loginUrl}${authModule.loginUrl.includes("?") ? "&" : "?"}next=${encodeURIComponent(target)}`);
    }
    next();
  };
  /** Renders a form page again with an error, or passes non-catalogue errors on. */
  const failed = (req: Request, res: Response, next: NextFunction, err: unknown, render: (error: string) => string) => {
    if (!(err instanceof PlothostError)) return next(err);
    if (err instanceof ThrottledError) res.setHeader("retry-after", String(err.retryAfterS));
    html(res, err.status, render(err.message));
  };

  r.get("/login", handOver, (req, res) => {
    if (principalOf(req)) return res.redirect(303, safeNext(req.query.next, base(req)));
    html(res, 200, loginPage({ base: base(req), csrf: csrf.tokenFor(req, res), next: safeNext(req.query.next, base(req)), registration: deps.allowRegistration }));
  });

  r.post("/login", handOver, parseBodies, csrf.check, async (req: Request, res: Response, next: NextFunction) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const nextUrl = safeNext(body.next, base(req));
    try {
      const user = await passwordLogin.authenticate(req, res);
      setSessionCookie(req, res, await accounts.startSession(user), deps.secureCookies);
      res.redirect(303, nextUrl);
    } catch (err) {
      failed(req, res, next, err, (error) => loginPage({
        base: base(req), csrf: csrf.tokenFor(req, res), next: nextUrl, registration: deps.allowRegistration, error,
        username: typeof body.username === "string" ? body.username : "",
      }));
    }
  });

  r.get("/register", handOver, (req, res) => {
    html(res, deps.allowRegistration ? 200 : 403, registerPage({
      base: base(req), csrf: csrf.tokenFor(req, res), next: safeNext(req.query.next, base(req)),
      error: deps.allowRegistration ? undefined : new PlothostError("registration_closed").message,
    }));
  });

  r.post("/register", handOver, parseBodies, csrf.check, async (req: Request, res: Response, next: NextFunction) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const nextUrl = safeNext(body.next, base(req));
    try {
      const user = await accounts.createUser({ username: body.username, password: body.password }, originOf(req));
      setSessionCookie(req, res, await accounts.startSession(user), deps.secureCookies);
      res.redirect(303, nextUrl);
    } catch (err) {
      failed(req, res, next, err, (error) => registerPage({
        base: base(req), csrf: csrf.tokenFor(req, res), next: nextUrl, error, username: typeof body.username === "string" ? body.username : "",
      }));
    }
  });

  r.get("/logout", (req, res) => {
    const p = principalOf(req);
    if (!deps.multiUser || !p) return res.redirect(303, `${base(req)}/`);
    html(res, 200, logoutPage({ base: base(req), csrf: csrf.tokenFor(req, res), username: p.username }));
  });

  r.post("/logout", parseBodies, csrf.check, async (req: Request, res: Response) => {
    const p = principalOf(req);
    if (p) await accounts.endSession(p, originOf(req));
    clearSessionCookie(req, res, deps.secureCookies);
    res.redirect(303, authModule?.logoutUrl ?? (deps.multiUser ? `${base(req)}/login` : `${base(req)}/`));
  });

  return r;
}
