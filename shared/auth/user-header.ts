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

/** Makes a fresh key pair for this gateway process (workers are restarted by it, so nothing needs to persist). */
export function createUserHeaderSigner(): UserHeaderSigner {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  return {
    publicKey: publicKey.export({ type: "spki", format: "der" }).toString("base64url"),
    sign(user, nowS = Math.floor(Date.now() / 1000)) {
      const payload = Buffer.from(JSON.stringify({ name: user.name, role: user.role, exp: nowS + USER_HEADER_TTL_S })).toString("base64url");
      const signed = `v1.${payload}`;
      return `${signed}.${sign(null, Buffer.from(signed), privateKey).toString("base64url")}`;
    },
  };
}

/** The checking half, in each worker. */
export class UserHeaderVerifier {
  private readonly key: KeyObject;

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
    const parts = value.split(".");
    if (parts.length !== 3 || parts[0] !== "v1") throw new Error(`malformed ${USER_HEADER} header`);
    if (!verify(null, Buffer.from(`${parts[0]}.${parts[1]}`), this.key, Buffer.from(parts[2], "base64url"))) {
      throw new Error(`${USER_HEADER} header has a bad signature`);
    }
    const p = JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as { name?: unknown; role?: unknown; exp?: unknown };
    if (typeof p.exp !== "number" || p.exp < nowS) throw new Error(`${USER_HEADER} header has expired`);
    if (typeof p.name !== "string" || (p.role !== "admin" && p.role !== "user")) throw new Error(`malformed ${USER_HEADER} payload`);
    return Object.freeze({ name: p.name, role: p.role });
  }
}
