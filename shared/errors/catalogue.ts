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
  // --- deployed apps (gateway/src/apps) ---
  app_crashed: {
    status: 503,
    message: "This app crashed repeatedly and was stopped. Its owner can read the last log lines (GET /api/v1/apps/NAME/logs), fix the app and deploy again (or roll back).",
  },
  bad_archive: {
    status: 400,
    message: "The app archive was refused. Send a .tar.gz of a directory app (main.ts, optional server_lifecycle.ts, static/, theme.json, templates/index.html) or of one .ts/.js module, with no paths or links leading outside it.",
  },
  app_deleting: { status: 409, message: "This app is being deleted. Wait until its cleanup job has finished (GET /api/v1/apps/NAME answers 404), then deploy again." },
  version_not_found: { status: 404, message: "This app has no such version. GET /api/v1/apps/NAME lists its versions." },
  deploy_not_found: { status: 404, message: "This app has no deploy with that id. The id is in the response of the deploy or rollback that started it." },
  short_path_taken: { status: 409, message: "This short path is taken (another app, a local app, a user name or a reserved path). Choose another, or take it away from the app holding it first." },
  payload_too_large: { status: 413, message: "The request body is too large. Send less data, or ask an admin to raise the limit." },
  // --- published documents (shared/storage) ---
  document_not_found: { status: 404, message: "No published document has this id. Check the id, or list your documents." },
  conflict: {
    status: 409,
    message: "The document changed since you read it. Fetch it again (its current version is in the detail), reapply your change, and retry.",
  },
  forbidden_origin: {
    status: 403,
    message: "WebSocket connection refused: this Origin is not allowed. Start plothost with --allow-websocket-origin HOST[:PORT].",
  },
  not_document_owner: {
    status: 403,
    message: "Only the document's owner (or an admin) can change or delete it. Ask the owner, or publish your own copy.",
  },
  share_link_invalid: {
    status: 404,
    message: "This share link does not work: it may have expired or been revoked. Ask the document's owner for a new link.",
  },
  read_only_view: {
    status: 403,
    message: "This view of the document is read-only. Ask the owner for an interactive link, or open it while logged in as someone it is shared with.",
  },
  bad_session_id: {
    status: 403,
    message: "This session id is not accepted: with --sign-sessions, session ids must be signed with the server's secret key (generate them with the plothost client or `generateSessionId({secretKey})`).",
  },
  bad_token: { status: 403, message: "The session token is invalid or has expired. Reload the page to get a new session." },
  session_ended: { status: 403, message: "An admin ended this session. Reload the page to start a new one." },
  internal: { status: 500, message: "Internal error. It has been logged; retry, and report it if it persists." },
  // --- accounts (gateway/src/auth) ---
  unauthenticated: {
    status: 401,
    message: "You are not logged in. Log in at /login (browsers) or POST /api/v1/login, then send `Authorization: Bearer pht_...` with an API token.",
  },
  invalid_credentials: { status: 401, message: "Wrong username or password. Check both and retry (after 5 failures in 15 minutes, logins pause)." },
  token_invalid: { status: 401, message: "This API token is not known. Check it was copied whole, or create a new one (POST /api/v1/tokens)." },
  token_revoked: { status: 401, message: "This API token was revoked. Log in again or create a new token (POST /api/v1/tokens)." },
  token_expired: { status: 401, message: "This API token has expired. Log in again or create a new token (POST /api/v1/tokens)." },
  account_disabled: { status: 403, message: "This account is disabled. Ask an admin to re-enable it." },
  insufficient_scope: { status: 403, message: "This token lacks the scope this needs. Create a token with that scope (POST /api/v1/tokens)." },
  admin_required: { status: 403, message: "Only admins can do this. Ask an admin." },
  csrf_failed: {
    status: 403,
    message: "The CSRF token is missing or wrong. Reload the page and submit again; API clients send the plothost_csrf cookie's value as X-CSRF-Token, or use a Bearer token.",
  },
  registration_closed: { status: 403, message: "Self-registration is off on this server. Ask an admin to create your account." },
  invalid_username: {
    status: 400,
    message: "Usernames are 1 to 39 letters, digits, '.', '_' or '-', starting with a letter or digit. Pick another.",
  },
  weak_password: {
    status: 400,
    message: "Passwords need at least 8 characters, at most 72 bytes, and must not be the username. Pick a longer one.",
  },
  username_taken: { status: 409, message: "That username is taken (usernames ignore case). Pick another, or log in." },
  user_not_found: { status: 404, message: "No user has that name. Check the spelling (GET /api/v1/admin/users lists them)." },
  token_not_found: { status: 404, message: "You have no token with that id. GET /api/v1/tokens lists yours." },
  last_admin: { status: 409, message: "This would leave no enabled admin. Make another user admin first." },
  user_owns_content: { status: 409, message: "This user still owns apps or documents. Delete or transfer them first, or disable the user instead." },
  too_many_attempts: { status: 429, message: "Too many failed logins. Wait for the number of seconds in Retry-After, then retry." },
  session_not_saved: {
    status: 503,
    message: "The change was applied but not saved in time, so the session could lose it if its worker fails. Send it again; if this persists, check the gateway's Redis and logs.",
  },
  // --- worker hosts (gateway/src/runner) ---
  runner_auth_failed: {
    status: 401,
    message: "This runner serves plothost gateways only: the request lacks a valid proof of the runner secret. Start gateways and runners with the same --runner-secret, and keep their clocks within a minute of each other.",
  },
  worker_gone: {
    status: 503,
    message: "That worker no longer runs on this runner (it stopped, or the runner restarted). Reload the page to get a new session.",
  },
  login_not_here: {
    status: 404,
    message: "This server does not take passwords here: in single-user mode nobody logs in, and with --auth-module the site's own login page is used.",
  },
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
