import type { IncomingMessage, ServerResponse } from "node:http";
import { TLSSocket } from "node:tls";

/** The login session: httpOnly, so page scripts (and XSS) cannot read it. */
export const SESSION_COOKIE = "plothost_session";
/** The CSRF double-submit token: readable by page scripts on purpose, so they can echo it in X-CSRF-Token. */
export const CSRF_COOKIE = "plothost_csrf";

/** The request's cookies (first value wins; malformed pairs are skipped). */
export function readCookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq < 1) continue;
    const name = part.slice(0, eq).trim();
    if (out.has(name)) continue;
    try {
      out.set(name, decodeURIComponent(part.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1")));
    } catch {
      // not percent-encoded properly: ignore this cookie
    }
  }
  return out;
}

/** Whether cookies must carry `Secure`: always when configured (TLS in front), else when this request is TLS. */
export function isSecureRequest(req: IncomingMessage, forceSecure: boolean): boolean {
  return forceSecure || req.socket instanceof TLSSocket;
}

/** Appends a Set-Cookie header. `maxAgeS` 0 deletes the cookie. */
export function setCookie(
  res: ServerResponse, name: string, value: string,
  opts: { httpOnly: boolean; secure: boolean; maxAgeS?: number },
): void {
  const parts = [`${name}=${encodeURIComponent(value)}`, "Path=/", "SameSite=Lax"];
  if (opts.maxAgeS !== undefined) parts.push(`Max-Age=${opts.maxAgeS}`);
  if (opts.httpOnly) parts.push("HttpOnly");
  if (opts.secure) parts.push("Secure");
  const prev = res.getHeader("set-cookie");
  const list = prev === undefined ? [] : Array.isArray(prev) ? prev : [String(prev)];
  res.setHeader("set-cookie", [...list.filter((c) => !c.startsWith(`${name}=`)), parts.join("; ")]);
}
