import type { Role, Scope } from "./scopes.ts";

/** An account as the auth code sees it (never the password hash outside the store and the hasher). */
export interface UserRecord {
  readonly id: number;
  readonly username: string;
  readonly role: Role;
  readonly disabled: boolean;
  readonly passwordHash: string | null;
  readonly createdAt: Date;
  readonly lastLoginAt: Date | null;
}

/** `api`: a token a user made for scripts. `session`: made by a login (browser cookie or script). */
export type TokenKind = "api" | "session";

/** A stored credential: only the SHA-256 of its secret is kept. */
export interface TokenRecord {
  readonly id: number;
  readonly userId: number;
  readonly kind: TokenKind;
  readonly name: string;
  readonly prefix: string;
  readonly scopes: readonly Scope[];
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
}

/** One line of the audit trail. */
export interface AuditEntry {
  readonly actorId: number | null;
  readonly actorName: string | null;
  readonly action: string;
  readonly target: string | null;
  readonly ip: string | null;
  readonly at: Date;
}

/** An audit trail line as the admin console reads it back: its id orders the trail (newest has the largest). */
export interface StoredAuditEntry extends AuditEntry {
  readonly id: number;
}

/** Which audit lines to read back: exact matches on the stored (display) names, newest first. */
export interface AuditQuery {
  readonly actor?: string;
  /** An action (`user.create`), or a prefix ending in `.` (`user.`) for a family of actions. */
  readonly action?: string;
  readonly target?: string;
  /** Only lines with an id below this (the previous page's last id). */
  readonly beforeId?: number;
  readonly limit: number;
}

/** Thrown by `createUser` when the (case-insensitive) username exists. */
export class DuplicateUsernameError extends Error {
  constructor(username: string) {
    super(`username ${username} exists`);
    this.name = "DuplicateUsernameError";
  }
}

/** Thrown by `deleteUser` when rows that must not vanish silently (apps, documents) still belong to the user. */
export class UserOwnsContentError extends Error {
  constructor(username: string) {
    super(`user ${username} still owns apps or documents`);
    this.name = "UserOwnsContentError";
  }
}

/**
 * Persistence for accounts, tokens and the audit trail. The auth services depend on this interface, never on a
 * database client; `PrismaAccountStore` implements it over SQLite and PostgreSQL (one contract test suite runs
 * against both). Usernames are passed in their lower-cased key form where lookups are concerned.
 * Deliberately absent: pagination (user lists are small), token cleanup (revoked and expired rows stay).
 */
export interface AccountStore {
  findUserByKey(usernameKey: string): Promise<UserRecord | null>;
  findUserById(id: number): Promise<UserRecord | null>;
  listUsers(): Promise<UserRecord[]>;
  /** @throws DuplicateUsernameError */
  createUser(u: { username: string; usernameKey: string; passwordHash: string | null; role: Role }): Promise<UserRecord>;
  updateUser(id: number, patch: { role?: Role; disabled?: boolean; passwordHash?: string; lastLoginAt?: Date }): Promise<UserRecord>;
  /** Deletes the user and (by cascade) their tokens. @throws UserOwnsContentError */
  deleteUser(id: number): Promise<void>;
  /** The id of the oldest user other than `exceptKey` (the first real account), or null when there is none. */
  firstUserId(exceptKey: string): Promise<number | null>;
  /** Enabled admins other than `exceptKey` (the built-in defaultuser, who cannot log in in multi-user mode). */
  countEnabledAdmins(exceptKey: string): Promise<number>;

  createToken(t: { userId: number; kind: TokenKind; name: string; hash: string; prefix: string; scopes: readonly Scope[]; expiresAt: Date | null }): Promise<TokenRecord>;
  /** The token with this secret hash and its owner. */
  findTokenByHash(hash: string): Promise<{ token: TokenRecord; user: UserRecord } | null>;
  /** A user's tokens that are neither revoked nor expired at `now`, newest first. */
  listActiveTokens(userId: number, now: Date): Promise<TokenRecord[]>;
  /** Revokes one of a user's tokens; false when they have no such token. */
  revokeToken(userId: number, tokenId: number, at: Date): Promise<boolean>;
  /** Revokes all of a user's unrevoked tokens of a kind (e.g. every login session after a password reset). */
  revokeTokensOfKind(userId: number, kind: TokenKind, at: Date): Promise<number>;
  touchToken(tokenId: number, at: Date): Promise<void>;

  audit(entry: AuditEntry): Promise<void>;
  /**
   * Times of the `limit` most recent `action` events after `since` whose target or ip matches, newest first:
   * the login throttle's view of failed logins.
   */
  recentEvents(action: string, match: { target: string } | { ip: string }, since: Date, limit: number): Promise<Date[]>;
  /** Audit lines matching `q`, newest first: the admin console's audit log. */
  queryAudit(q: AuditQuery): Promise<StoredAuditEntry[]>;
  close(): Promise<void>;
}
