import { backoffDelay, delay, type BackoffOptions } from "./backoff.ts";
import { PlothostClientError, ServerUnavailableError, errorFromResponse } from "./errors.ts";

/** Options of {@link HttpClient}. */
export interface HttpClientOptions {
  /** The server's root URL, e.g. `http://team-server:5006` (a path prefix is kept). */
  readonly rootUrl: string;
  /** The Bearer token to send, asked for on every request (it changes on login/logout); null sends none. */
  readonly token: () => string | null;
  /** Retries after a network error or 502/503/504 (default 4); only idempotent requests are retried, see below. */
  readonly retries?: number;
  /** Back-off between retries (default 250 ms doubling up to 4 s). */
  readonly backoff?: BackoffOptions;
  /** Bound on each attempt (default 30 s). */
  readonly timeoutMs?: number;
}

/** One request. */
export interface RequestOptions {
  /** A JSON body (sets content-type). */
  readonly json?: unknown;
  /** Any other body, made afresh for each attempt (a stream cannot be sent twice). */
  readonly body?: () => { body: BodyInit; headers: Record<string, string> };
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>;
  readonly headers?: Readonly<Record<string, string>>;
  /** Whether repeating the request is harmless; default: GET, HEAD, PUT, DELETE are, POST and PATCH are not. */
  readonly idempotent?: boolean;
  /** Send the token (default true; login and register send none). */
  readonly auth?: boolean;
  /** Bound on this request instead of the client's `timeoutMs`; 0 = none (a followed log). */
  readonly timeoutMs?: number;
  /** Aborts the request (e.g. Ctrl-C while following logs). */
  readonly signal?: AbortSignal;
}

const IDEMPOTENT = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);
/** Connection failures after which the request certainly never reached the server: safe to retry any request. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

/** The error code of a failed `fetch` (undici wraps the socket error in `cause`, sometimes in an AggregateError). */
function networkCode(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown; errors?: Array<{ code?: unknown }> } } | null)?.cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  if (typeof code === "string") return code;
  if ((err as { name?: string } | null)?.name === "TimeoutError") return "timeout";
  return typeof cause?.message === "string" ? cause.message : "network error";
}

/**
 * JSON over HTTP to a plothost server, with typed errors and retries. A request that failed before it reached the
 * server (connection refused, DNS) is retried whatever its method; one that may have reached it (connection
 * reset, timeout, 502/503/504) only when repeating it is harmless. Failing for good throws
 * {@link ServerUnavailableError}; an HTTP error response throws the matching {@link PlothostClientError}.
 */
export class HttpClient {
  readonly rootUrl: string;
  private readonly retries: number;
  private readonly backoff: BackoffOptions;
  private readonly timeoutMs: number;

  constructor(private readonly opts: HttpClientOptions) {
    this.rootUrl = opts.rootUrl.replace(/\/+$/, "");
    this.retries = opts.retries ?? 4;
    this.backoff = opts.backoff ?? { baseMs: 250, maxMs: 4000 };
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  /** The token requests are sent with right now (null: none). */
  currentToken(): string | null {
    return this.opts.token();
  }

  /** The absolute URL of a server path (`/api/v1/...`). */
  url(path: string, query?: RequestOptions["query"]): string {
    const u = new URL(`${this.rootUrl}${path}`);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  /** Sends the request; resolves with the parsed JSON body (undefined for 204), or the text for other types. */
  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    return this.parse<T>(method, path, await this.send(method, path, opts));
  }

  /**
   * Sends the request and resolves with the response once its status is a success, its body unread (for
   * streamed bodies such as logs); an error status throws like `request`.
   */
  async response(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
    const res = await this.send(method, path, opts);
    if (res.status >= 200 && res.status < 300) return res;
    return this.parse<never>(method, path, res);
  }

  private async send(method: string, path: string, opts: RequestOptions): Promise<Response> {
    const idempotent = opts.idempotent ?? IDEMPOTENT.has(method);
    const url = this.url(path, opts.query);
    for (let attempt = 0; ; attempt++) {
      const res = await this.attempt(method, url, opts).catch((err: unknown) => {
        const code = networkCode(err);
        const retry = attempt < this.retries && (idempotent || NOT_SENT.has(code));
        if (retry) return null;
        throw new ServerUnavailableError(
          `could not reach ${new URL(this.rootUrl).origin} (${code}). Is the plothost server running there? Check the URL (--url or PLOTHOST_URL).`,
          { code: "server_unreachable", cause: err },
        );
      });
      if (res === null) {
        await delay(backoffDelay(attempt, this.backoff));
        continue;
      }
      if ((res.status === 502 || res.status === 503 || res.status === 504) && idempotent && attempt < this.retries) {
        await res.body?.cancel();
        const after = Number(res.headers.get("retry-after"));
        await delay(Number.isFinite(after) && after > 0 ? Math.min(after * 1000, this.backoff.maxMs) : backoffDelay(attempt, this.backoff));
        continue;
      }
      return res;
    }
  }

  private attempt(method: string, url: string, opts: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { accept: "application/json", ...opts.headers };
    const token = opts.auth === false ? null : this.opts.token();
    if (token) headers.authorization = `Bearer ${token}`;
    let body: BodyInit | undefined;
    if (opts.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(opts.json);
    } else if (opts.body) {
      const made = opts.body();
      Object.assign(headers, made.headers);
      body = made.body;
    }
    const timeoutMs = opts.timeoutMs ?? this.timeoutMs;
    const signals = [...(timeoutMs > 0 ? [AbortSignal.timeout(timeoutMs)] : []), ...(opts.signal ? [opts.signal] : [])];
    const init: RequestInit & { duplex?: "half" } = {
      method, headers, body, redirect: "manual", signal: signals.length > 1 ? AbortSignal.any(signals) : signals[0],
    };
    if (body instanceof ReadableStream) init.duplex = "half";
    return fetch(url, init);
  }

  private async parse<T>(method: string, path: string, res: Response): Promise<T> {
    const text = await res.text();
    const isJson = (res.headers.get("content-type") ?? "").includes("json");
    let parsed: unknown = text;
    if (isJson && text !== "") {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (res.status >= 200 && res.status < 300) return (res.status === 204 ? undefined : parsed) as T;
    if (res.status >= 300 && res.status < 400) {
      throw new PlothostClientError(`${method} ${path} was redirected to ${res.headers.get("location")}: is the URL the plothost server's root?`, { code: "redirected", status: res.status });
    }
    throw errorFromResponse(res.status, parsed, `${method} ${path}`);
  }
}
