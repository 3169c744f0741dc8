import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Request, Response, NextFunction } from "express";
import { PlothostError } from "../../../shared/errors/catalogue.ts";
import { CSRF_COOKIE, SESSION_COOKIE, isSecureRequest, readCookies, setCookie } from "./cookies.ts";

export const CSRF_HEADER = "x-csrf-token";
export const CSRF_FIELD = "_csrf";

/**
 * Double-submit CSRF protection. The `plothost_csrf` cookie holds a random token; a state-changing request
 * must echo it in the `X-CSRF-Token` header or a `_csrf` form field. Another site can make a browser send the
 * cookie but cannot read it, so it cannot echo it.
 *
 * Exempt, because no other site can forge them: requests with an `Authorization` header (scripts with a
 * Bearer token), and JSON requests that carry no session cookie (a cross-site JSON request needs a CORS
 * preflight, which plothost never grants) — this keeps `curl` logins and single-user scripts simple. Every
 * form post, and every request riding on the session cookie, must echo the token.
 */
export class CsrfProtection {
  constructor(private readonly forceSecureCookies: boolean) {}

  /** The request's CSRF token, setting a new cookie when it has none (call before rendering a form). */
  tokenFor(req: Request, res: Response): string {
    const existing = readCookies(req).get(CSRF_COOKIE);
    if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
    const token = randomBytes(32).toString("base64url");
    setCookie(res, CSRF_COOKIE, token, { httpOnly: false, secure: isSecureRequest(req, this.forceSecureCookies) });
    return token;
  }

  /** Express middleware (after the body parsers): refuses unprotected state-changing requests with 403. */
  readonly check = (req: Request, _res: Response, next: NextFunction): void => {
    if (["GET", "HEAD", "OPTIONS"].includes(req.method)) return next();
    if (req.headers.authorization !== undefined) return next();
    const cookies = readCookies(req);
    if (req.is("application/json") && !cookies.has(SESSION_COOKIE)) return next();
    const expected = cookies.get(CSRF_COOKIE) ?? "";
    const header = req.headers[CSRF_HEADER];
    const body = req.body as Record<string, unknown> | undefined;
    const given = typeof header === "string" ? header : typeof body?.[CSRF_FIELD] === "string" ? (body[CSRF_FIELD] as string) : "";
    if (expected !== "" && given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected))) return next();
    next(new PlothostError("csrf_failed"));
  };
}
