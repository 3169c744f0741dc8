import { PlothostError } from "../../../shared/errors/catalogue.ts";
import { DuplicateUsernameError, type AccountStore, type TokenRecord, type UserRecord } from "./account-store.ts";
import { DEFAULT_USER, checkPassword, checkUsername, usernameKey } from "./credential-rules.ts";
import type { LoginThrottle } from "./login-throttle.ts";
import type { PasswordHasher } from "./password-hasher.ts";
import type { Principal } from "./principal.ts";
import { isRole, scopesForRole, type Role, type Scope } from "./scopes.ts";
import { hashSecret, looksLikeToken, newSecret } from "./token-secrets.ts";

/** How long a login (cookie or the token `POST /api/v1/login` returns) lasts. */
export const SESSION_LIFETIME_MS = 14 * 24 * 3600_000;
/** `lastUsedAt` is written at most this often per token, so reads do not become writes. */
const TOUCH_EVERY_MS = 60_000;

/** Where a request came from and who made it, for the audit trail. */
export interface RequestOrigin {
  readonly ip: string | null;
  readonly actor?: Principal | null;
}

/** A login: the secret is shown once (cookie value and the API's `token` field). */
export interface StartedSession {
  readonly secret: string;
  readonly token: TokenRecord;
}

export interface AccountServiceDeps {
  store: AccountStore;
  hasher: PasswordHasher;
  throttle: LoginThrottle;
  allowRegistration: boolean;
  now?: () => Date;
}

/**
 * Accounts: registration, password login, sessions and turning a presented secret into a principal. Every
 * rule of the accounts issue that is not HTTP lives here (admin operations in `admin-service.ts`, token
 * management in `token-service.ts`). Errors are catalogue errors, ready for the HTTP layer.
 */
export class AccountService {
  readonly store: AccountStore;
  private readonly now: () => Date;

  constructor(private readonly deps: AccountServiceDeps) {
    this.store = deps.store;
    this.now = deps.now ?? (() => new Date());
  }

  /**
   * Creates an account. Self-registration needs `allowRegistration`; `byAdmin` skips that check and may pick
   * the role. The first account on a database (besides `defaultuser`) becomes an admin.
   */
  async createUser(input: { username: unknown; password: unknown; role?: unknown }, origin: RequestOrigin, byAdmin = false): Promise<UserRecord> {
    if (!byAdmin && !this.deps.allowRegistration) throw new PlothostError("registration_closed");
    const username = checkUsername(input.username);
    const key = usernameKey(username);
    if (key === DEFAULT_USER) throw new PlothostError("username_taken", `${DEFAULT_USER} is built in`);
    const password = checkPassword(input.password, username);
    if (input.role !== undefined && (!byAdmin || !isRole(input.role))) {
      throw new PlothostError("bad_request", byAdmin ? `role must be "admin" or "user"` : "only admins can choose a role");
    }
    let user: UserRecord;
    try {
      user = await this.store.createUser({ username, usernameKey: key, passwordHash: await this.deps.hasher.hash(password), role: (input.role as Role | undefined) ?? "user" });
    } catch (err) {
      if (err instanceof DuplicateUsernameError) throw new PlothostError("username_taken", username);
      throw err;
    }
    if (user.role !== "admin" && (await this.store.firstUserId(DEFAULT_USER)) === user.id) {
      user = await this.store.updateUser(user.id, { role: "admin" });
    }
    await this.audit(origin, byAdmin ? "user.create" : "user.register", username);
    return user;
  }

  /** Checks a username and password (throttled); returns the user and records the login. */
  async login(usernameInput: unknown, passwordInput: unknown, origin: RequestOrigin): Promise<UserRecord> {
    if (typeof usernameInput !== "string" || typeof passwordInput !== "string" || usernameInput === "" || passwordInput === "") {
      throw new PlothostError("bad_request", "send username and password");
    }
    const key = usernameKey(usernameInput).slice(0, 100);
    await this.deps.throttle.check(key, origin.ip);
    const user = key === DEFAULT_USER ? null : await this.store.findUserByKey(key);
    const ok = await this.deps.hasher.verify(passwordInput, user?.passwordHash ?? null);
    if (!ok || !user) {
      await this.deps.throttle.recordFailure(key, origin.ip);
      throw new PlothostError("invalid_credentials");
    }
    if (user.disabled) throw new PlothostError("account_disabled");
    const updated = await this.store.updateUser(user.id, { lastLoginAt: this.now() });
    await this.audit({ ...origin, actor: principalFor(updated, "session", null) }, "login", user.username);
    return updated;
  }

  /** A new login session for a user: a `session` token with every scope of their role. */
  async startSession(user: UserRecord): Promise<StartedSession> {
    const s = newSecret();
    const token = await this.store.createToken({
      userId: user.id, kind: "session", name: "login", hash: s.hash, prefix: s.prefix,
      scopes: scopesForRole(user.role), expiresAt: new Date(this.now().getTime() + SESSION_LIFETIME_MS),
    });
    return { secret: s.secret, token };
  }

  /** Ends the session or revokes the token a principal used (logout). */
  async endSession(p: Principal, origin: RequestOrigin): Promise<void> {
    if (p.tokenId === null) return;
    await this.store.revokeToken(p.userId, p.tokenId, this.now());
    await this.audit({ ...origin, actor: p }, "logout", p.username);
  }

  /**
   * The principal a presented token or session secret stands for.
   * @throws PlothostError token_invalid, token_revoked, token_expired (401) or account_disabled (403)
   */
  async authenticateSecret(secret: string): Promise<Principal> {
    const found = looksLikeToken(secret) ? await this.store.findTokenByHash(hashSecret(secret)) : null;
    if (!found) throw new PlothostError("token_invalid");
    const { token, user } = found;
    const now = this.now();
    if (token.revokedAt) throw new PlothostError("token_revoked");
    if (token.expiresAt && token.expiresAt.getTime() <= now.getTime()) throw new PlothostError("token_expired");
    if (user.disabled) throw new PlothostError("account_disabled");
    if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() >= TOUCH_EVERY_MS) await this.store.touchToken(token.id, now);
    // A session follows the user's current role; a token keeps its scopes, minus any the role no longer allows.
    if (token.kind === "session") return principalFor(user, "session", token.id);
    const allowed = new Set(scopesForRole(user.role));
    return principalFor(user, "token", token.id, token.scopes.filter((s) => allowed.has(s)));
  }

  /** The built-in single-user account, created (as an admin without a password) when missing. */
  async defaultPrincipal(): Promise<Principal> {
    const user = (await this.store.findUserByKey(DEFAULT_USER))
      ?? (await this.createIfMissing({ username: DEFAULT_USER, usernameKey: DEFAULT_USER, passwordHash: null, role: "admin" }));
    return principalFor(user, "single-user", null);
  }

  /**
   * The principal for a user an --auth-module vouched for, provisioning the account (without a password) on
   * first sight. The module's role, when it gives one, is applied; otherwise the account keeps its own.
   */
  async externalPrincipal(name: string, role: Role | undefined, origin: RequestOrigin): Promise<Principal> {
    const username = checkUsername(name);
    const key = usernameKey(username);
    let user = await this.store.findUserByKey(key);
    if (!user) {
      user = await this.createIfMissing({ username, usernameKey: key, passwordHash: null, role: role ?? "user" });
      await this.audit({ ...origin, actor: principalFor(user, "auth-module", null) }, "user.provision", username);
    } else if (role && role !== user.role) {
      user = await this.store.updateUser(user.id, { role });
    }
    if (user.disabled) throw new PlothostError("account_disabled");
    return principalFor(user, "auth-module", null);
  }

  /** Appends to the audit trail. */
  audit(origin: RequestOrigin, action: string, target: string | null): Promise<void> {
    return this.store.audit({
      actorId: origin.actor?.userId ?? null, actorName: origin.actor?.username ?? null, action, target, ip: origin.ip, at: this.now(),
    });
  }

  private async createIfMissing(u: { username: string; usernameKey: string; passwordHash: null; role: Role }): Promise<UserRecord> {
    try {
      return await this.store.createUser(u);
    } catch (err) {
      // Two requests provisioning the same account at once: the other one won.
      const existing = err instanceof DuplicateUsernameError ? await this.store.findUserByKey(u.usernameKey) : null;
      if (existing) return existing;
      throw err;
    }
  }
}

/** A principal for a user: all of their role's scopes unless `scopes` narrows them. */
export function principalFor(user: UserRecord, via: Principal["via"], tokenId: number | null, scopes?: readonly Scope[]): Principal {
  return Object.freeze({
    userId: user.id, username: user.username, role: user.role, via, tokenId,
    scopes: new Set(scopes ?? scopesForRole(user.role)),
  });
}
