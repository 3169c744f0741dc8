import { PlothostError } from "../../../shared/errors/catalogue.ts";
import type { AccountService, RequestOrigin } from "./account-service.ts";
import type { TokenRecord } from "./account-store.ts";
import type { Principal } from "./principal.ts";
import { DEFAULT_TOKEN_SCOPES, isScope, type Scope } from "./scopes.ts";
import { newSecret } from "./token-secrets.ts";

/** What `POST /api/v1/tokens` accepts. */
export interface NewTokenRequest {
  name?: unknown;
  scopes?: unknown;
  /** ISO 8601 time in the future, or absent/null for a token that does not expire. */
  expiresAt?: unknown;
}

/**
 * A user's own API tokens: list, create (the secret is returned once), revoke. A token can never hold more
 * than the credential that made it: its scopes must be a subset of the caller's.
 */
export class TokenService {
  constructor(private readonly accounts: AccountService, private readonly now: () => Date = () => new Date()) {}

  list(p: Principal): Promise<TokenRecord[]> {
    return this.accounts.store.listActiveTokens(p.userId, this.now());
  }

  async create(p: Principal, req: NewTokenRequest, origin: RequestOrigin): Promise<{ secret: string; token: TokenRecord }> {
    const name = req.name ?? "api token";
    if (typeof name !== "string" || name.trim() === "" || name.length > 100) throw new PlothostError("bad_request", "name must be 1 to 100 characters");
    const scopes = parseScopes(req.scopes);
    const missing = scopes.filter((s) => !p.scopes.has(s));
    if (missing.length > 0) {
      if (missing.includes("admin") && p.role !== "admin") throw new PlothostError("admin_required", "only admins can make tokens with the admin scope");
      throw new PlothostError("insufficient_scope", `a token cannot get scopes its maker lacks: ${missing.join(", ")}`);
    }
    let expiresAt: Date | null = null;
    if (req.expiresAt !== undefined && req.expiresAt !== null) {
      expiresAt = typeof req.expiresAt === "string" ? new Date(req.expiresAt) : new Date(NaN);
      if (Number.isNaN(expiresAt.getTime()) || expiresAt.getTime() <= this.now().getTime()) {
        throw new PlothostError("bad_request", "expiresAt must be an ISO 8601 time in the future, e.g. 2030-01-01T00:00:00Z");
      }
    }
    const s = newSecret();
    const token = await this.accounts.store.createToken({ userId: p.userId, kind: "api", name: name.trim(), hash: s.hash, prefix: s.prefix, scopes, expiresAt });
    await this.accounts.audit({ ...origin, actor: p }, "token.create", `${token.id} ${token.name}`);
    return { secret: s.secret, token };
  }

  /** @throws PlothostError token_not_found when the caller has no token with this id */
  async revoke(p: Principal, id: unknown, origin: RequestOrigin): Promise<void> {
    const n = Number(id);
    if (!Number.isSafeInteger(n) || n <= 0 || !(await this.accounts.store.revokeToken(p.userId, n, this.now()))) {
      throw new PlothostError("token_not_found", String(id));
    }
    await this.accounts.audit({ ...origin, actor: p }, "token.revoke", String(n));
  }
}

function parseScopes(raw: unknown): Scope[] {
  if (raw === undefined || raw === null) return [...DEFAULT_TOKEN_SCOPES];
  if (!Array.isArray(raw) || raw.length === 0 || !raw.every(isScope)) {
    throw new PlothostError("bad_request", `scopes must be a non-empty list of: read, publish, deploy, admin`);
  }
  return [...new Set(raw)];
}
