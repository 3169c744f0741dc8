import { ProtocolError, TokenError } from "./errors.ts";
import { checkTokenSignature, parseToken, type SecretKey, type TokenPayload } from "./token.ts";

/** The WebSocket subprotocol a Bokeh server must select (`Sec-WebSocket-Protocol` in its 101 response). */
export const BOKEH_SUBPROTOCOL = "bokeh";

/**
 * Reads the session token from a `Sec-WebSocket-Protocol` request header. BokehJS and `bokeh.client` open the
 * socket with the subprotocol list `["bokeh", token]`, so the header must hold exactly two comma-separated
 * entries, the first `bokeh` (as Python's `select_subprotocol` requires). The token is not decoded here.
 * @throws ProtocolError `bad_subprotocol`.
 */
export function parseSubprotocolHeader(header: string | undefined): { token: string } {
  if (header === undefined) throw new ProtocolError("bad_subprotocol", "no Sec-WebSocket-Protocol header");
  const entries = header.split(",").map((entry) => entry.trim());
  if (entries.length !== 2) {
    throw new ProtocolError("bad_subprotocol", `Sec-WebSocket-Protocol has ${entries.length} entries, expected 2`);
  }
  const [name, token] = entries as [string, string];
  if (name !== BOKEH_SUBPROTOCOL) throw new ProtocolError("bad_subprotocol", "the first subprotocol is not 'bokeh'");
  if (token === "") throw new ProtocolError("bad_subprotocol", "the session token is empty");
  return { token };
}

/** Options of {@link validateToken}. */
export interface ValidateTokenOptions {
  /** The current time in unix seconds (passed in so that callers and tests own the clock). */
  now: number;
  secretKey?: SecretKey;
  /** Whether tokens and session ids must carry valid signatures (Bokeh's `--sign-sessions`). */
  signed: boolean;
}

/**
 * Decides whether a client may open a session with `token`, as Bokeh's WebSocket handler does, and returns its
 * payload. Checks, in order: the signatures of the token and of its session id (when `signed`; first, so an
 * unsigned or forged token learns nothing more), that it decodes, and that `session_expiry` is present and later
 * than `now`. Whether the session exists is the caller's business.
 * @throws TokenError `bad_signature`, `malformed_token` or `expired_token`.
 */
export function validateToken(token: string, opts: ValidateTokenOptions): TokenPayload {
  if (!checkTokenSignature(token, opts.secretKey, opts.signed)) {
    throw new TokenError("bad_signature", "token signature check failed");
  }
  const payload = parseToken(token);
  if (payload.session_expiry === undefined) throw new TokenError("expired_token", "token has no session_expiry");
  if (opts.now >= payload.session_expiry) throw new TokenError("expired_token", "token expired");
  return payload;
}
