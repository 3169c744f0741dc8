import { generateKeyPairSync, createPublicKey, sign, verify, type KeyObject } from "node:crypto";

/**
 * The gateway → worker user header. The gateway authenticates each request, then sets this header on the
 * request it proxies (overwriting anything the client sent); the worker verifies it before giving app code
 * `ctx.user`. Signed with Ed25519: the gateway keeps the private key, workers get only the public key (a flag,
 * harmless to show), so tenant code inside a worker can read users but never mint them.
 *
 * Format: `v1.<base64url JSON {name, role, exp}>.<base64url signature of "v1.<payload>">`, `exp` in epoch
 * seconds a short while ahead, so a leaked header is soon useless. Deliberately carries no ids or scopes: apps
 * see who is looking, not what their tokens may do.
 */
export const USER_HEADER = "x-plothost-user";

/** Who is using an app, as app code sees it (`ctx.user`). */
export interface AppUser {
  readonly name: string;
  readonly role: "admin" | "user";
}

/** How long a signed header stays valid. */
export const USER_HEADER_TTL_S = 60;

/** The signing half, held by the gateway only. */
export interface UserHeaderSigner {
  /** The public key (base64url SPKI DER) to hand to workers. */
  readonly publicKey: string;
  sign(user: AppUser, nowS?: number): string;
}

/** How many users' headers the signer, and verified headers a worker, keep for reuse (then start afresh). */
const CACHE_ENTRIES = 1024;

/**
 * Makes a fresh key pair for this gateway process (workers are restarted by it, so nothing needs to persist).
 * A header is reused for the same user while at least half its lifetime is left, so a busy user costs one
 * Ed25519 signature per 30 s instead of one per request (measured: signing was ~10% of the gateway's CPU per
 * proxied session); a reused header expires as any other, at most `USER_HEADER_TTL_S` after it was made.
 */
export function createUserHeaderSigner(key?: KeyObject): UserHeaderSigner {
  const privateKey = key ?? generateKeyPairSync("ed25519").privateKey;
  const publicKey = createPublicKey(privateKey);
  const recent = new Map<string, { header: string; exp: number }>();
  return {
    publicKey: publicKey.export({ type: "spki", format: "der" }).toString("base64url"),
    sign(user, nowS = Math.floor(Date.now() / 1000)) {
      const key = `${user.role}:${user.name}`;
      const hit = recent.get(key);
      if (hit && hit.exp - nowS >= USER_HEADER_TTL_S / 2 && hit.exp - nowS <= USER_HEADER_TTL_S) return hit.header;
      const exp = nowS + USER_HEADER_TTL_S;
      const payload = Buffer.from(JSON.stringify({ name: user.name, role: user.role, exp })).toString("base64url");
      const signed = `v1.${payload}`;
      const header = `${signed}.${sign(null, Buffer.from(signed), privateKey).toString("base64url")}`;
      if (recent.size >= CACHE_ENTRIES) recent.clear();
      recent.set(key, { header, exp });
      return header;
    },
  };
}

/** The checking half, in each worker. */
export class UserHeaderVerifier {
  private readonly key: KeyObject;
  /** Headers whose signature and payload were checked, by their exact text (the signer reuses them for 30 s). */
  private readonly verified = new Map<string, { user: AppUser; exp: number }>();

  /** @param publicKey the base64url SPKI DER key from `UserHeaderSigner.publicKey` */
  constructor(publicKey: string) {
    this.key = createPublicKey({ key: Buffer.from(publicKey, "base64url"), format: "der", type: "spki" });
  }

  /**
   * The user a header names, or null when there is none. A header that is present but malformed, forged or
   * expired throws, so the worker can refuse or log it instead of silently treating the request as anonymous.
   */
  verify(value: string | string[] | undefined, nowS = Math.floor(Date.now() / 1000)): AppUser | null {
    if (value === undefined || value === "") return null;
    if (typeof value !== "string") throw new Error(`more than one ${USER_HEADER} header`);
    const known = this.verified.get(value);
    if (known) {
      if (known.exp < nowS) throw new Error(`${USER_HEADER} header has expired`);
      return known.user;
    }
    const parts = value.split(".");
    if (parts.length !== 3 || parts[0] !== "v1") throw new Error(`malformed ${USER_HEADER} header`);
    if (!verify(null, Buffer.from(`${parts[0]}.${parts[1]}`), this.key, Buffer.from(parts[2], "base64url"))) {
      throw new Error(`${USER_HEADER} header has a bad signature`);
    }
    const p = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as { name?: unknown; role?: unknown; exp?: unknown };
    if (typeof p.exp !== "number" || p.exp < nowS) throw new Error(`${USER_HEADER} header has expired`);
    if (typeof p.name !== "string" || (p.role !== "admin" && p.role !== "user")) throw new Error(`malformed ${USER_HEADER} payload`);
    const user: AppUser = Object.freeze({ name: p.name, role: p.role });
    if (this.verified.size >= CACHE_ENTRIES) this.verified.clear();
    this.verified.set(value, { user, exp: p.exp });
    return user;
  }
}
