/** Account roles: admins manage users; users manage their own tokens and content. */
export type Role = "admin" | "user";
export const ROLES: readonly Role[] = ["admin", "user"];

/**
 * What a token may do. `read`: view apps, documents, own account. `publish`: push documents. `deploy`: deploy
 * apps. `admin`: the user-management API (and only for admins). Later issues check `publish` and `deploy`.
 */
export type Scope = "read" | "publish" | "deploy" | "admin";
export const SCOPES: readonly Scope[] = ["read", "publish", "deploy", "admin"];

/** Scopes a new API token gets when the request names none. */
export const DEFAULT_TOKEN_SCOPES: readonly Scope[] = ["read"];

/** Everything a role may hold: a login session gets all of it. */
export function scopesForRole(role: Role): Scope[] {
  return role === "admin" ? [...SCOPES] : SCOPES.filter((s) => s !== "admin");
}

export function isScope(s: unknown): s is Scope {
  return typeof s === "string" && (SCOPES as readonly string[]).includes(s);
}

export function isRole(r: unknown): r is Role {
  return r === "admin" || r === "user";
}

/** Scopes as stored (space-separated) → a list, dropping anything unknown. */
export function parseStoredScopes(s: string): Scope[] {
  return s.split(/\s+/).filter(isScope);
}
