import { Document, Model, type DocJson } from "../shared/index.ts";
import { AdminApi } from "./admin-api.ts";
import type { DocumentInfo, LoginReply, UserInfo, WhoAmI } from "./api-types.ts";
import { AppsApi } from "./apps-api.ts";
import { readClientEnv } from "./client-env.ts";
import { CredentialsStore } from "./credentials-store.ts";
import { AuthError, ValidationError } from "./errors.ts";
import { HttpClient } from "./http-client.ts";
import { PublishedDocument, type LiveOptions } from "./published-document.ts";
import { TokensApi } from "./tokens-api.ts";
import { uploadBody } from "./upload-body.ts";

/** Options of {@link Session}; every one has a default, most from the environment. */
export interface SessionOptions {
  /** The server, e.g. `http://team-server:5006`. Default: `PLOTHOST_URL`, else `http://localhost:5006`. */
  rootUrl?: string;
  /** An API token to use (beats `PLOTHOST_TOKEN` and the credentials file). */
  token?: string;
  /** Directory of `credentials.json`. Default: `PLOTHOST_HOME`, else `~/.plothost`. */
  home?: string;
  /** Where `PLOTHOST_URL`, `PLOTHOST_TOKEN` and `PLOTHOST_HOME` are read (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** Save the token of `login`/`register` in the credentials file (default true). */
  saveCredentials?: boolean;
  /** Retries of idempotent requests after network errors (default 4). */
  retries?: number;
  /** Bound on each request and acknowledgement, in ms (default 30 s). */
  timeoutMs?: number;
  /** How long a live document keeps trying to reconnect, in ms (default 2 min). */
  reconnectTimeoutMs?: number;
}

/** Options of {@link Session.publish}. */
export interface PublishOptions {
  /** The name it is listed under (default: the document's title). */
  name?: string;
  /** `private` (default: you and admins), `public` (anyone with the link, read-only), `shared` (see `update`). */
  visibility?: DocumentInfo["visibility"];
  /** Sets the document's title before publishing. */
  title?: string;
}

/** Where the token in use came from. */
export type TokenSource = "login" | "option" | "env" | "file";

/**
 * A script's connection to a plothost server: log in once (the token is saved in `~/.plothost/credentials.json`,
 * so later sessions to the same server need no password), then publish plots and keep them up to date.
 *
 * ```ts
 * const session = new Session({ rootUrl: "http://team-server:5006" });
 * await session.login("ana", password);             // or nothing: a saved token (or PLOTHOST_TOKEN) is used
 * const doc = await session.publish(p, { name: "sales", visibility: "public" });
 * await doc.stream(source, { x: [3], y: [5] }, { rollover: 1000 });
 * await session.close();
 * ```
 */
export class Session {
  readonly rootUrl: string;
  readonly credentials: CredentialsStore;
  /** Your API tokens. */
  readonly tokens: TokensApi;
  /** User management (admins). */
  readonly admin: AdminApi;
  /** Deployed apps. */
  readonly apps: AppsApi;
  private readonly http: HttpClient;
  private readonly envToken: string | null;
  private loginToken: string | null = null;
  private stored: { token: string } | null | undefined;
  private readonly live = new Set<PublishedDocument>();
  private readonly liveOptions: LiveOptions;

  constructor(private readonly opts: SessionOptions = {}) {
    const env = readClientEnv(opts.env);
    this.rootUrl = (opts.rootUrl ?? env.rootUrl).replace(/\/+$/, "");
    if (!/^https?:\/\//.test(this.rootUrl)) throw new ValidationError(`the server URL must start with http:// or https:// (got "${this.rootUrl}")`, { code: "bad_url" });
    this.envToken = env.token;
    this.credentials = new CredentialsStore(opts.home ?? env.home);
    this.http = new HttpClient({ rootUrl: this.rootUrl, token: () => this.token, retries: opts.retries, timeoutMs: opts.timeoutMs });
    this.tokens = new TokensApi(this.http);
    this.admin = new AdminApi(this.http);
    this.apps = new AppsApi(this.http);
    this.liveOptions = {
      timeoutMs: opts.timeoutMs ?? 30_000, reconnectTimeoutMs: opts.reconnectTimeoutMs ?? 120_000, backoff: { baseMs: 250, maxMs: 5000 },
    };
  }

  /**
   * The token requests carry: this session's login, else the `token` option, else `PLOTHOST_TOKEN`, else the one
   * saved for this server. Reading the saved one throws a `CredentialsError` if the file is readable by others.
   */
  get token(): string | null {
    return this.loginToken ?? this.opts.token ?? this.envToken ?? this.storedToken();
  }

  /** Where {@link token} comes from, or null when there is none. */
  get tokenSource(): TokenSource | null {
    if (this.loginToken) return "login";
    if (this.opts.token) return "option";
    if (this.envToken) return "env";
    return this.storedToken() ? "file" : null;
  }

  /** Creates an account (multi-user servers with registration on) and logs in as it; the token is saved. */
  register(username: string, password: string): Promise<UserInfo> {
    return this.signIn("/api/v1/register", username, password);
  }

  /** Logs in; the token is saved for this server, so later sessions need no password. */
  login(username: string, password: string): Promise<UserInfo> {
    return this.signIn("/api/v1/login", username, password);
  }

  /** Revokes the token on the server and forgets it here (an already invalid token is just forgotten). */
  async logout(): Promise<void> {
    const token = this.token;
    if (token) {
      try {
        await this.http.request("POST", "/api/v1/logout", { idempotent: true });
      } catch (err) {
        if (!(err instanceof AuthError && err.status === 401)) throw err;
      }
    }
    this.loginToken = null;
    const saved = this.credentials.get(this.rootUrl);
    if (saved && (token === null || saved.token === token)) this.credentials.remove(this.rootUrl);
    this.stored = null;
  }

  /** Who the token acts as (`GET /api/v1/me`). */
  whoami(): Promise<WhoAmI> {
    return this.http.request<WhoAmI>("GET", "/api/v1/me");
  }

  /**
   * Publishes a plot (a model such as a figure or layout, several roots, or a whole Document) and keeps it live:
   * the returned document is connected, so `stream`/`patch`/model changes reach viewers at once.
   */
  async publish(content: Model | readonly Model[] | Document, opts: PublishOptions = {}): Promise<PublishedDocument> {
    const doc = toDocument(content);
    if (opts.title !== undefined) doc.title = opts.title;
    const info = await this.publishJson(doc.to_json(), opts);
    return this.track(await PublishedDocument.connect(info, doc, this.http, this.liveOptions));
  }

  /**
   * Publishes Bokeh document JSON (`Document.to_json()` of BokehJS or Python, or a `json_item`) as it is.
   * `onUpload(sentBytes, totalBytes)` follows the upload of a large document (then the request has no time limit).
   */
  publishJson(
    json: DocJson | { doc: DocJson; root_id?: string },
    opts: Omit<PublishOptions, "title"> & { onUpload?: (sent: number, total: number) => void } = {},
  ): Promise<DocumentInfo> {
    const query = { name: opts.name, visibility: opts.visibility };
    if (opts.onUpload === undefined) return this.http.request<DocumentInfo>("POST", "/api/v1/docs", { json, query });
    const body = uploadBody(Buffer.from(JSON.stringify(json), "utf8"), "application/json", opts.onUpload);
    return this.http.request<DocumentInfo>("POST", "/api/v1/docs", { body, query, timeoutMs: 0 });
  }

  /** Opens one of your published documents, live (pulled from the server). */
  async open(id: string): Promise<PublishedDocument> {
    const info = await this.http.request<DocumentInfo>("GET", `/api/v1/docs/${encodeURIComponent(id)}/meta`);
    return this.track(await PublishedDocument.connect(info, null, this.http, this.liveOptions));
  }

  /** Your published documents. */
  async documents(): Promise<DocumentInfo[]> {
    return (await this.http.request<{ documents: DocumentInfo[] }>("GET", "/api/v1/docs")).documents;
  }

  /** Closes every live document of this session (after their changes are stored). The token stays saved. */
  async close(): Promise<void> {
    await Promise.all([...this.live].map((d) => d.close()));
    this.live.clear();
  }

  private track(doc: PublishedDocument): PublishedDocument {
    this.live.add(doc);
    return doc;
  }

  private async signIn(path: string, username: string, password: string): Promise<UserInfo> {
    const reply = await this.http.request<LoginReply>("POST", path, { json: { username, password }, auth: false });
    this.loginToken = reply.token;
    if (this.opts.saveCredentials !== false) {
      this.credentials.set(this.rootUrl, { token: reply.token, username: reply.user.username });
      this.stored = { token: reply.token };
    }
    return reply.user;
  }

  private storedToken(): string | null {
    if (this.stored === undefined) this.stored = this.credentials.get(this.rootUrl);
    return this.stored?.token ?? null;
  }
}

/** The document to publish for `content`: a Document as it is, a model's own document, or a new one. */
function toDocument(content: Model | readonly Model[] | Document): Document {
  if (content instanceof Document) return content;
  if (content instanceof Model && content.document) return content.document;
  const doc = new Document();
  for (const root of content instanceof Model ? [content] : content) doc.add_root(root);
  return doc;
}
