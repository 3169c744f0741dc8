/**
 * The JSON shapes of the plothost HTTP API as the client returns them (see the README's tables). Times are ISO
 * 8601 strings.
 */

/** An account (`/api/v1/me`, login, register, the admin API). */
export interface UserInfo {
  readonly id: number;
  readonly username: string;
  readonly role: "admin" | "user";
  readonly disabled: boolean;
  readonly createdAt: string;
  readonly lastLoginAt: string | null;
}

/** `GET /api/v1/me`: who the token acts as, how, and what it may do. */
export interface WhoAmI {
  readonly user: UserInfo;
  readonly via: string;
  readonly scopes: readonly string[];
}

/** What the server answers to login and register. */
export interface LoginReply {
  readonly user: UserInfo;
  readonly token: string;
  readonly expiresAt: string | null;
}

/** An API token as listed (its secret is shown only once, in {@link NewToken}). */
export interface TokenInfo {
  readonly id: number;
  readonly name: string;
  readonly kind: string;
  readonly prefix: string;
  readonly scopes: readonly string[];
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly expiresAt: string | null;
}

/** A token just created: `token` is the secret, shown this once. */
export interface NewToken extends TokenInfo {
  readonly token: string;
}

/** A published document's metadata and links. */
export interface DocumentInfo {
  readonly id: string;
  readonly owner: string;
  readonly name: string;
  readonly title: string;
  readonly visibility: "private" | "public" | "shared";
  readonly sharedWith: readonly string[];
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly sizeBytes: number;
  /** The document's page for people who can log in. */
  readonly url: string;
  /** The link anyone may open, for a public document; null otherwise. */
  readonly publicUrl: string | null;
}
