import { Buffer } from "node:buffer";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { deflateSync, inflateSync } from "node:zlib";
import { TokenError } from "./errors.ts";
import { isPlainObject } from "./json-shape.ts";

/**
 * Bokeh session ids and session tokens, compatible with `bokeh/util/token.py` (Bokeh 3.x) and BokehJS's
 * `parse_token`:
 *
 * - session id: 44 random characters from `[A-Za-z0-9]`; signed: `<id>.<base64url_nopad(HMAC_SHA256(key, id))>`.
 * - token: `base64url_nopad(JSON {session_id, session_expiry[, __bk__zlib_]})`; signed:
 *   `<that>.<base64url_nopad(HMAC_SHA256(key, <that>))>`. Not a JWT: there is no header part.
 * - extra payload (headers, cookies, arguments, ...) travels zlib-compressed as `__bk__zlib_`; byte strings
 *   inside it are written as `{"bytes": <base64url>}` like Python's encoder, and read back as `Uint8Array`.
 *
 * Nothing here reads the environment or the clock implicitly except {@link generateToken}'s default `now`.
 */

/** A secret for HMAC signing; strings are used as their UTF-8 bytes (as Python's `BOKEH_SECRET_KEY`). */
export type SecretKey = Buffer | Uint8Array | string;

/** A decoded token payload: the session id, its expiry (unix seconds) and any extra payload fields. */
export interface TokenPayload {
  session_id: string;
  session_expiry?: number;
  [key: string]: unknown;
}

/** Options shared by the signing functions. `signed` defaults to whether a `secretKey` is given. */
export interface SigningOptions {
  secretKey?: SecretKey;
  signed?: boolean;
}

/** Options of {@link generateToken}. */
export interface TokenOptions extends SigningOptions {
  /** Seconds until the token expires; Bokeh's default (`--session-token-expiration`) is 300. */
  expiration?: number;
  /** Extra fields for the app (Bokeh puts request headers, cookies and arguments here); may not hold session_id. */
  extraPayload?: Record<string, unknown>;
  /** The current time in unix seconds; defaults to the clock. */
  now?: number;
  /**
   * Marks a token the server minted for a page it served (`plothost_page: 1`): a gateway that does not know the
   * session yet waits briefly for its registration (another process's worker just made it). Tokens clients mint
   * for ids of their own (bokeh.client) lack it: for them a miss means a new session, at once.
   */
  servedPage?: boolean;
}

/** The payload key Bokeh stores the compressed extra payload under. */
export const TOKEN_ZLIB_KEY = "__bk__zlib_";
/** Token lifetime in seconds when none is given (Bokeh's default). */
export const DEFAULT_TOKEN_EXPIRATION = 300;
/** Largest extra payload accepted once inflated; tokens come from clients, so a zlib bomb must not get far. */
export const MAX_EXTRA_PAYLOAD_BYTES = 1024 * 1024;

const SESSION_ID_LENGTH = 44;
const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/**
 * A new random session id (44 characters from `[A-Za-z0-9]`, about 262 bits), signed when asked to.
 * @throws TypeError when signing is requested without a secret key.
 */
export function generateSessionId(opts: SigningOptions = {}): string {
  const id = randomString(SESSION_ID_LENGTH);
  return isSigned(opts) ? `${id}.${signature(id, requireKey(opts.secretKey))}` : id;
}

/**
 * A session token for `sessionId`, expiring `expiration` seconds from `now`, carrying `extraPayload` compressed.
 * @throws TypeError when signing is requested without a secret key, or `extraPayload` holds session_id or
 * session_expiry (they would be ignored when the token is read).
 */
export function generateToken(sessionId: string, opts: TokenOptions = {}): string {
  const now = opts.now ?? Math.floor(Date.now() / 1000);
  const expiration = opts.expiration ?? DEFAULT_TOKEN_EXPIRATION;
  if (!Number.isFinite(now) || !Number.isFinite(expiration)) throw new TypeError("now and expiration must be finite numbers");
  const payload: Record<string, unknown> = { session_id: sessionId, session_expiry: now + expiration };
  if (opts.servedPage) payload.plothost_page = 1;
  if (opts.extraPayload && Object.keys(opts.extraPayload).length > 0) {
    if ("session_id" in opts.extraPayload || "session_expiry" in opts.extraPayload) {
      throw new TypeError("extraPayload for session tokens may not contain session_id or session_expiry");
    }
    const json = JSON.stringify(opts.extraPayload, bytesReplacer);
    payload[TOKEN_ZLIB_KEY] = deflateSync(Buffer.from(json, "utf8"), { level: 9 }).toString("base64url");
  }
  const token = Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");
  return isSigned(opts) ? `${token}.${signature(token, requireKey(opts.secretKey))}` : token;
}

/**
 * Decodes a token (the part before the first `.`; missing base64 padding is fine) and inflates its extra
 * payload into the result. Fields of the outer payload win over extra-payload fields of the same name.
 * Does not check the signature or the expiry: see `validateToken`.
 * @throws TokenError `malformed_token`.
 */
export function parseToken(token: string): TokenPayload {
  const outer = decodeBase(token);
  const { [TOKEN_ZLIB_KEY]: compressed, ...fields } = outer;
  if (compressed === undefined) return fields as TokenPayload;
  if (typeof compressed !== "string") throw new TokenError("malformed_token", `${TOKEN_ZLIB_KEY} is not a string`);
  let inflated: Buffer;
  try {
    inflated = inflateSync(base64UrlToBytes(compressed), { maxOutputLength: MAX_EXTRA_PAYLOAD_BYTES });
  } catch (err) {
    throw new TokenError("malformed_token", `${TOKEN_ZLIB_KEY} is not valid zlib data (or inflates too large)`, { cause: err });
  }
  const extra = parseJsonObject(inflated, "extra payload", bytesReviver);
  return { ...extra, ...fields } as TokenPayload;
}

/**
 * The session id inside a token, without inflating the extra payload.
 * @throws TokenError `malformed_token`.
 */
export function sessionIdFromToken(token: string): string {
  return decodeBase(token).session_id;
}

/** Whether the token says the server minted it for a page it served (see `TokenOptions.servedPage`); false if unreadable. */
export function isServedPageToken(token: string): boolean {
  try {
    return (decodeBase(token) as Record<string, unknown>).plothost_page === 1;
  } catch {
    return false;
  }
}

/**
 * Whether `token` and the session id inside it were both signed with `secretKey`; always true when `signed`
 * is false. Compares in constant time. A token that is not even decodable is reported as false.
 * @throws TypeError when `signed` is true and there is no secret key.
 */
export function checkTokenSignature(token: string, secretKey: SecretKey | undefined, signed: boolean): boolean {
  if (!signed) return true;
  const key = requireKey(secretKey);
  const dot = token.indexOf(".");
  if (dot < 0) return false;
  if (!safeEqual(token.slice(dot + 1), signature(token.slice(0, dot), key))) return false;
  let sessionId: string;
  try {
    sessionId = sessionIdFromToken(token);
  } catch {
    return false;
  }
  return checkSessionIdSignature(sessionId, key, true);
}

/**
 * Whether a session id of the form `<id>.<sig>` was signed with `secretKey`; always true when `signed` is
 * false. Compares in constant time.
 * @throws TypeError when `signed` is true and there is no secret key.
 */
export function checkSessionIdSignature(sessionId: string, secretKey: SecretKey | undefined, signed: boolean): boolean {
  if (!signed) return true;
  const key = requireKey(secretKey);
  const dot = sessionId.indexOf(".");
  if (dot < 0) return false;
  return safeEqual(sessionId.slice(dot + 1), signature(sessionId.slice(0, dot), key));
}

function decodeBase(token: string): TokenPayload {
  const dot = token.indexOf(".");
  const payload = parseJsonObject(base64UrlToBytes(dot < 0 ? token : token.slice(0, dot)), "token payload");
  if (typeof payload.session_id !== "string" || payload.session_id === "") {
    throw new TokenError("malformed_token", "token payload has no session_id");
  }
  const expiry = payload.session_expiry;
  if (expiry !== undefined && (typeof expiry !== "number" || !Number.isFinite(expiry))) {
    throw new TokenError("malformed_token", "token session_expiry is not a number");
  }
  return payload as TokenPayload;
}

/** Strict base64url (the standard alphabet's `+` and `/` are accepted too, as Python does), padding optional. */
function base64UrlToBytes(text: string): Buffer {
  const unpadded = text.replace(/={1,2}$/, "");
  if (!/^[A-Za-z0-9_+/-]*$/.test(unpadded) || unpadded.length % 4 === 1) {
    throw new TokenError("malformed_token", "not base64url");
  }
  return Buffer.from(unpadded.replaceAll("+", "-").replaceAll("/", "_"), "base64url");
}

function parseJsonObject(
  bytes: Uint8Array,
  what: string,
  reviver?: (this: unknown, key: string, value: unknown) => unknown,
): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes), reviver);
  } catch (err) {
    throw new TokenError("malformed_token", `${what} is not UTF-8 JSON`, { cause: err });
  }
  if (!isPlainObject(value)) throw new TokenError("malformed_token", `${what} is not a JSON object`);
  return value;
}

function bytesReplacer(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key];
  return original instanceof Uint8Array ? { bytes: Buffer.from(original).toString("base64url") } : value;
}

function bytesReviver(this: unknown, _key: string, value: unknown): unknown {
  if (isPlainObject(value) && typeof value.bytes === "string" && Object.keys(value).length === 1) {
    return new Uint8Array(base64UrlToBytes(value.bytes));
  }
  return value;
}

function isSigned(opts: SigningOptions): boolean {
  return opts.signed ?? opts.secretKey !== undefined;
}

function requireKey(secretKey: SecretKey | undefined): SecretKey {
  if (secretKey === undefined || secretKey.length === 0) throw new TypeError("signed session ids and tokens need a secret key");
  return secretKey;
}

function signature(base: string, key: SecretKey): string {
  return createHmac("sha256", key).update(base, "utf8").digest("base64url");
}

function safeEqual(provided: string, expected: string): boolean {
  const a = Buffer.from(provided, "utf8");
  const b = Buffer.from(expected, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `length` characters drawn uniformly from {@link ALPHABET} with crypto randomness (rejection sampling). */
function randomString(length: number): string {
  const limit = 256 - (256 % ALPHABET.length); // 248: bytes at or above it would bias the modulo
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length)) {
      if (byte < limit) out += ALPHABET[byte % ALPHABET.length];
      if (out.length === length) break;
    }
  }
  return out;
}
