import { createHash, randomBytes } from "node:crypto";

/** Every plothost token starts with this, so leaked tokens are easy to spot (and to scan for). */
export const TOKEN_PREFIX = "pht_";

/** A new secret (shown once), its SHA-256 (stored) and a short prefix (stored, for people to recognise it). */
export interface NewSecret {
  readonly secret: string;
  readonly hash: string;
  readonly prefix: string;
}

/** The stored form of a secret. Tokens have 256 random bits, so a fast hash is enough (no salt, no bcrypt). */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** 32 random bytes, base64url: `pht_` + 43 characters. */
export function newSecret(): NewSecret {
  const secret = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  return { secret, hash: hashSecret(secret), prefix: secret.slice(0, TOKEN_PREFIX.length + 6) };
}

/** Whether a string has the shape of a plothost token (cheap check before a database lookup). */
export function looksLikeToken(s: string): boolean {
  return /^pht_[A-Za-z0-9_-]{43}$/.test(s);
}
