import express, { type Request, type Response, type NextFunction, type RequestHandler } from "express";
import { PlothostError } from "../../../shared/errors/catalogue.ts";
import type { RequestOrigin, StartedSession } from "./account-service.ts";
import type { TokenRecord, UserRecord } from "./account-store.ts";
import { SESSION_COOKIE, isSecureRequest, setCookie } from "./cookies.ts";
import { ThrottledError } from "./login-throttle.ts";
import { principalOf } from "./principal.ts";

/** A user as the API shows it (never the hash). */
export function userJson(u: UserRecord) {
  return { id: u.id, username: u.username, role: u.role, disabled: u.disabled, createdAt: u.createdAt, lastLoginAt: u.lastLoginAt };
}

/** A token as the API shows it (never the secret, except once at creation). */
export function tokenJson(t: TokenRecord) {
  return {
    id: t.id, name: t.name, kind: t.kind, prefix: t.prefix, scopes: t.scopes, createdAt: t.createdAt,
    lastUsedAt: t.lastUsedAt, expiresAt: t.expiresAt,
  };
}

/** Who made a request and from where, for the audit trail. */
export function originOf(req: Request): RequestOrigin {
  return { ip: req.ip ?? req.socket.remoteAddress ?? null, actor: principalOf(req) };
}

/** Sets the session cookie for a new login. */
export function setSessionCookie(req: Request, res: Response, session: StartedSession, forceSecure: boolean): void {
  const maxAgeS = Math.max(1, Math.floor(((session.token.expiresAt?.getTime() ?? Date.now()) - Date.now()) / 1000));
  setCookie(res, SESSION_COOKIE, session.secret, { httpOnly: true, secure: isSecureRequest(req, forceSecure), maxAgeS });
}

export function clearSessionCookie(req: Request, res: Response, forceSecure: boolean): void {
  setCookie(res, SESSION_COOKIE, "", { httpOnly: true, secure: isSecureRequest(req, forceSecure), maxAgeS: 0 });
}

/** Body parsers for the accounts routes only (the app proxy must see raw bodies), with small limits. */
export const parseBodies: RequestHandler[] = [
  express.json({ limit: "16kb" }),
  express.urlencoded({ extended: false, limit: "16kb" }),
];

/**
 * Error middleware of the accounts routers: body-parser failures become catalogue errors, a throttled login
 * gets its `Retry-After` header; then the gateway's error handler writes the `{error: {code, message}}` body.
 */
export function accountsErrors(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (err instanceof ThrottledError && !res.headersSent) res.setHeader("retry-after", String(err.retryAfterS));
  const type = (err as { type?: string } | null)?.type;
  if (type === "entity.too.large") return next(new PlothostError("payload_too_large"));
  if (typeof type === "string" && !(err instanceof PlothostError)) return next(new PlothostError("bad_request", "the body could not be parsed"));
  next(err);
}
