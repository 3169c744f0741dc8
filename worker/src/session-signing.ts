import { checkSessionIdSignature, generateSessionId, generateToken, validateToken, type TokenPayload } from "../../shared/protocol/index.ts";

/**
 * How this worker mints and checks session ids and tokens. With a secret key (`--sign-sessions` on the gateway)
 * every id and token carries an HMAC signature and unsigned or forged ones are refused, so only parties holding
 * the key (the gateway, an embedding site's server) can choose a session id.
 */
export class SessionSigning {
  constructor(private readonly secretKey: string | null, private readonly tokenExpirationS: number) {}

  get signed(): boolean {
    return this.secretKey !== null;
  }

  newSessionId(): string {
    return generateSessionId({ secretKey: this.secretKey ?? undefined, signed: this.signed });
  }

  /** Whether a session id chosen by a client may be used (always, unless signing is on). */
  acceptsSessionId(id: string): boolean {
    if (!/^[A-Za-z0-9._-]{1,200}$/.test(id)) return false;
    return checkSessionIdSignature(id, this.secretKey ?? undefined, this.signed);
  }

  token(sessionId: string): string {
    return generateToken(sessionId, { expiration: this.tokenExpirationS, secretKey: this.secretKey ?? undefined, signed: this.signed, servedPage: true });
  }

  /** @throws TokenError for a bad signature, a malformed or an expired token. */
  validate(token: string, now = Math.floor(Date.now() / 1000)): TokenPayload {
    return validateToken(token, { now, secretKey: this.secretKey ?? undefined, signed: this.signed });
  }
}
