import type { IncomingMessage } from "node:http";
import { PlothostError } from "../../../shared/errors/catalogue.ts";
import type { Role, Scope } from "./scopes.ts";

/**
 * Who a request acts as, and what it may do. `via` says how it was established: the single-user default,
 * a login session (cookie), an API token (Bearer), or an --auth-module. Session, single-user and auth-module
 * principals hold every scope of their role; a token holds its own scopes (minus `admin` for non-admins).
 */
export interface Principal {
  readonly userId: number;
  readonly username: string;
  readonly role: Role;
  readonly scopes: ReadonlySet<Scope>;
  readonly via: "single-user" | "session" | "token" | "auth-module";
  /** The credential used (session or token), so logout can revoke exactly it. */
  readonly tokenId: number | null;
}

const principals = new WeakMap<IncomingMessage, Principal>();

/** Attaches the authenticated principal to a request (HTTP or WebSocket upgrade). */
export function setPrincipal(req: IncomingMessage, p: Principal): void {
  principals.set(req, p);
}

/** The request's principal, or null for an anonymous request. */
export function principalOf(req: IncomingMessage): Principal | null {
  return principals.get(req) ?? null;
}

/** The principal, or 401 when the request is anonymous. */
export function requirePrincipal(req: IncomingMessage): Principal {
  const p = principalOf(req);
  if (!p) throw new PlothostError("unauthenticated");
  return p;
}

/** The principal if it holds `scope` (and, for `admin`, the admin role); else 401/403. */
export function requireScope(req: IncomingMessage, scope: Scope): Principal {
  const p = requirePrincipal(req);
  if (scope === "admin" && p.role !== "admin") throw new PlothostError("admin_required");
  if (!p.scopes.has(scope)) throw new PlothostError("insufficient_scope", `needs "${scope}"; this token has ${[...p.scopes].join(", ") || "none"}`);
  return p;
}
