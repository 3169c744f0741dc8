/**
 * The JSON shapes of the plothost HTTP API as the client returns them (see the README's tables). Times are ISO
 * 8601 strings. Accounts and documents are described in shared/api/resources.ts (the admin console shows them too).
 */

import type { DocumentInfo, UserInfo } from "../shared/api/resources.ts";

export type { DocumentInfo, UserInfo };

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

