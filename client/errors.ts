/**
 * The client's typed errors. Every error the server sends is `{error: {code, message}}`; the client keeps both and
 * picks a class from the status, so scripts can `catch (e) { if (e instanceof AuthError) ... }` or switch on
 * `e.code` (the codes of `shared/errors/catalogue.ts`).
 */
export class PlothostClientError extends Error {
  /** The server's error code (`invalid_credentials`, `document_not_found`, ...) or a client-side one. */
  readonly code: string;
  /** The HTTP status, or null when no response came (network errors, client-side checks). */
  readonly status: number | null;

  constructor(message: string, opts: { code: string; status?: number | null; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = opts.code;
    this.status = opts.status ?? null;
  }
}

/** 401/403: not logged in, a bad/revoked/expired token, a missing scope, a disabled account, not yours. */
export class AuthError extends PlothostClientError {}

/** 404: no such document, user, token or app (or not visible to you). */
export class NotFoundError extends PlothostClientError {}

/** 400, 409, 413: the request was refused as it is (bad input, name taken, too large, version conflict). */
export class ValidationError extends PlothostClientError {}

/** The server could not be reached, or answered 502/503/504, even after the retries. */
export class ServerUnavailableError extends PlothostClientError {}

/** The credentials file cannot be used as it is (readable by others, not JSON); the message says how to fix it. */
export class CredentialsError extends PlothostClientError {}

/** Builds the typed error for an HTTP error response (`body` is its parsed JSON, if any). */
export function errorFromResponse(status: number, body: unknown, what: string): PlothostClientError {
  const err = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof err?.code === "string" ? err.code : `http_${status}`;
  const message = typeof err?.message === "string" ? err.message : `${what} failed with HTTP ${status}`;
  const opts = { code, status };
  if (status === 401 || status === 403) return new AuthError(message, opts);
  if (status === 404) return new NotFoundError(message, opts);
  if (status === 400 || status === 409 || status === 413 || status === 422) return new ValidationError(message, opts);
  if (status === 502 || status === 503 || status === 504) return new ServerUnavailableError(message, opts);
  return new PlothostClientError(message, opts);
}
