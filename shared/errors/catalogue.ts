/**
 * The one error catalogue. Every error a client can see has a stable `code` (clients switch on it), an HTTP
 * status, and a message that says what to do next. Protocol-level failures map to the same codes and are sent as
 * Bokeh `ERROR` messages or WebSocket close reasons.
 */
export const ERROR_CATALOGUE = {
  not_found: { status: 404, message: "Nothing is served at this path. Check the URL, or list apps with `plothost apps`." },
  app_not_found: { status: 404, message: "No app is deployed at this path. Check the app name in the URL." },
  app_unavailable: {
    status: 503,
    message: "The app's worker is not running right now (starting or restarting). Retry in a few seconds; if it persists, read the app's logs.",
  },
  app_session_failed: {
    status: 500,
    message: "The app raised an error while building this session. The app's author can read the stack trace in the worker's log (or run with --dev to see it here).",
  },
  bad_request: { status: 400, message: "The request is malformed. Fix the request and retry." },
  payload_too_large: { status: 413, message: "The request body is too large. Send less data, or ask an admin to raise the limit." },
  forbidden_origin: {
    status: 403,
    message: "WebSocket connection refused: this Origin is not allowed. Start plothost with --allow-websocket-origin HOST[:PORT].",
  },
  bad_token: { status: 403, message: "The session token is invalid or has expired. Reload the page to get a new session." },
  internal: { status: 500, message: "Internal error. It has been logged; retry, and report it if it persists." },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** An error with a catalogue code. `detail` adds specifics without replacing the what-to-do-next message. */
export class PlothostError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail?: string;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    const entry = ERROR_CATALOGUE[code];
    super(detail ? `${entry.message} (${detail})` : entry.message, options);
    this.name = "PlothostError";
    this.code = code;
    this.status = entry.status;
    this.detail = detail;
  }

  /** The JSON body every HTTP error response carries: `{error: {code, message}}`. */
  toJSON(): { error: { code: ErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

/** Normalises anything thrown into a PlothostError (unknown errors become `internal`, keeping the cause). */
export function toPlothostError(err: unknown): PlothostError {
  if (err instanceof PlothostError) return err;
  return new PlothostError("internal", undefined, { cause: err });
}
