/**
 * Errors of the Bokeh WebSocket protocol layer, and the WebSocket close codes the server sends for them.
 *
 * ## Close codes: why not Bokeh's 10001 / 10000
 * Python's Bokeh server closes with 10001 after a protocol error and 10000 after an internal error. Tornado puts
 * those numbers on the wire, but RFC 6455 §7.4 defines no codes at or above 5000: Chromium treats such a close
 * frame as broken and reports 1006 to the page, and the `ws` library refuses both to send them
 * (`TypeError: First argument must be a valid error code number`) and to receive them (it fails the connection
 * with 1002). BokehJS 3.10 does not look at the close code at all (every close rejects pending requests and,
 * when configured, schedules a reconnect), so any valid code keeps it working. We therefore use the standard
 * codes that mean the same thing, all valid for `ws` to send and for browsers to receive:
 *
 * | situation                                   | code |
 * |---------------------------------------------|------|
 * | normal end of session                       | 1000 |
 * | frame/message violates the Bokeh protocol   | 1002 (what BokehJS itself uses for a bad server) |
 * | text frame that is not valid UTF-8          | 1007 (sent by the `ws` library before the protocol sees the frame) |
 * | token rejected (bad signature, expired)     | 1008 policy violation |
 * | message over the size/buffer/nesting limits | 1009 message too big |
 * | server bug while handling a message         | 1011 internal error |
 */

import { Buffer } from "node:buffer";

/** RFC 6455 close code for a normal close. */
export const NORMAL_CLOSE = 1000;
/** Close code for a peer that broke the Bokeh protocol (Python Bokeh sends the invalid 10001 instead). */
export const PROTOCOL_ERROR_CLOSE = 1002;
/** Close code for a rejected session token (Python Bokeh closes without a code). */
export const TOKEN_REJECTED_CLOSE = 1008;
/** Close code `ws` itself sends for a text frame that is not valid UTF-8 (RFC 6455 "inconsistent data"). */
export const INVALID_PAYLOAD_CLOSE = 1007;
/** Close code for a message over the receiver's limits. */
export const MESSAGE_TOO_BIG_CLOSE = 1009;
/** Close code for a server-side failure (Python Bokeh sends the invalid 10000 instead). */
export const INTERNAL_ERROR_CLOSE = 1011;

/** What Python's Bokeh server really sends; listed for reference only, never send these (see the file header). */
export const PYTHON_BOKEH_CLOSE_CODES = { protocolError: 10001, internalError: 10000 } as const;

/** The longest close reason RFC 6455 allows (125-byte control frame payload minus the 2-byte code). */
export const MAX_CLOSE_REASON_BYTES = 123;

/** Stable codes of {@link ProtocolError}; clients and logs switch on these. */
export type ProtocolErrorCode =
  | "bad_frame_type"
  | "bad_json"
  | "bad_header"
  | "unknown_msgtype"
  | "bad_metadata"
  | "bad_buffer_header"
  | "too_many_buffers"
  | "message_too_large"
  | "json_too_deep"
  | "receiver_failed"
  | "unexpected_msgtype"
  | "bad_content"
  | "bad_subprotocol";

const PROTOCOL_HINTS: Record<ProtocolErrorCode, string> = {
  bad_frame_type: "a text frame came where a binary one was expected, or the reverse",
  bad_json: "a header, metadata, content or buffer-header frame is not valid JSON",
  bad_header: "the message header needs a string msgid and msgtype (and a non-negative integer num_buffers)",
  unknown_msgtype: "the msgtype is not one of the Bokeh protocol's message types",
  bad_metadata: "the metadata frame must be a JSON object",
  bad_buffer_header: 'a buffer header must be exactly {"id": "<unique string>"}',
  too_many_buffers: "the message declares more binary buffers than this server accepts",
  message_too_large: "the message is larger than this server accepts; send smaller updates",
  json_too_deep: "a JSON frame nests arrays/objects deeper than this server accepts; send flatter values",
  receiver_failed: "an earlier frame on this connection was invalid; reconnect",
  unexpected_msgtype: "this message type may not be sent in this direction",
  bad_content: "the message content does not have the shape its msgtype requires",
  bad_subprotocol: "connect with new WebSocket(url, ['bokeh', token])",
};

/**
 * A frame or message that breaks the Bokeh protocol. The connection it came from should be closed with
 * {@link ProtocolError.closeCode}. Only the stable `code` is meant for programs; `message` is for people.
 */
export class ProtocolError extends Error {
  readonly code: ProtocolErrorCode;
  /** The WebSocket close code to end the connection with. */
  readonly closeCode: number;
  /** The HTTP status to refuse a WebSocket upgrade with, when the error is found before the upgrade. */
  readonly httpStatus: number;

  constructor(code: ProtocolErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${detail} (${PROTOCOL_HINTS[code]})` : PROTOCOL_HINTS[code], options);
    this.name = "ProtocolError";
    this.code = code;
    this.closeCode = code === "too_many_buffers" || code === "message_too_large" || code === "json_too_deep" ? MESSAGE_TOO_BIG_CLOSE : PROTOCOL_ERROR_CLOSE;
    this.httpStatus = 400;
  }
}

/** Stable codes of {@link TokenError}. */
export type TokenErrorCode = "malformed_token" | "expired_token" | "bad_signature";

const TOKEN_HINTS: Record<TokenErrorCode, string> = {
  malformed_token: "the session token is not base64url-encoded JSON with a session_id; reload the page to get a new one",
  expired_token: "the session token has expired (or carries no session_expiry); reload the page to get a new one",
  bad_signature: "the session token or session id was not signed by this server; reload the page to get a new one",
};

/** A session token or session id that cannot be used: the client needs a fresh one (reload the page). */
export class TokenError extends Error {
  readonly code: TokenErrorCode;
  /** The WebSocket close code to end the connection with. */
  readonly closeCode: number;
  /** The HTTP status to refuse a WebSocket upgrade (or a page request) with. */
  readonly httpStatus: number;

  constructor(code: TokenErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${detail} (${TOKEN_HINTS[code]})` : TOKEN_HINTS[code], options);
    this.name = "TokenError";
    this.code = code;
    this.closeCode = TOKEN_REJECTED_CLOSE;
    this.httpStatus = 403;
  }
}

/**
 * The `(code, reason)` pair to close a WebSocket with after `err`: the error's own close code for
 * {@link ProtocolError} / {@link TokenError}, {@link INTERNAL_ERROR_CLOSE} for anything else (whose message is not
 * leaked: it may hold server internals). The reason is cut to {@link MAX_CLOSE_REASON_BYTES} UTF-8 bytes, because
 * `ws` throws on a longer one.
 */
export function closeFrameFor(err: unknown): { code: number; reason: string } {
  if (err instanceof ProtocolError || err instanceof TokenError) {
    return { code: err.closeCode, reason: truncateUtf8(`${err.code}: ${err.message}`, MAX_CLOSE_REASON_BYTES) };
  }
  return { code: INTERNAL_ERROR_CLOSE, reason: "internal server error" };
}

/** Cuts `text` to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // Back up over continuation bytes (10xxxxxx) so the cut falls on a character boundary.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return bytes.toString("utf8", 0, end);
}
