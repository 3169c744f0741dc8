import { Document, serializeEvents, type ColumnDataSource, type DocumentChangedEvent, type PatchesInit, type Serialized } from "../shared/index.ts";
import { generateSessionId, generateToken, patchDocFromClient, pullDocReq, type Message } from "../shared/protocol/index.ts";
import type { DocumentInfo } from "./api-types.ts";
import { backoffDelay, delay, type BackoffOptions } from "./backoff.ts";
import { bufferMap, socketUrl } from "./client-session.ts";
import { AuthError, NotFoundError, PlothostClientError, ServerUnavailableError, ValidationError } from "./errors.ts";
import type { HttpClient } from "./http-client.ts";
import { LiveEvents, type LiveEventMap } from "./live-events.ts";
import { ProtocolRequestError, ProtocolSocket, type SocketClosed } from "./protocol-socket.ts";
import { emptyPending, eventsTowardLocal, eventsTowardServer, notePending } from "./resync.ts";

/** Marks changes that came from the server, so they are not sent back. */
const REMOTE = Symbol("remote");

/** How a live document's connection is doing. */
export type LiveState = "open" | "reconnecting" | "closed" | "failed";

/** Connection settings of a live document (the `Session` fills them in). */
export interface LiveOptions {
  /** Bound on connecting and on each acknowledgement (default 15 s). */
  readonly timeoutMs: number;
  /** How long to keep trying to reconnect after the connection dropped before failing (default 2 min). */
  readonly reconnectTimeoutMs: number;
  /** Back-off between reconnection attempts (default 250 ms doubling up to 5 s). */
  readonly backoff: BackoffOptions;
}

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

/** One batch of local changes not yet acknowledged by the server. */
interface Entry {
  readonly payload: Serialized<{ events: unknown[] }>;
  /** The local change events it carries (or, for a resync batch, the ones it stands for). */
  readonly events: DocumentChangedEvent[];
  readonly waiters: Waiter[];
}

const settle = (waiters: readonly Waiter[], err?: Error) => {
  for (const w of waiters) if (err) w.reject(err);
  else w.resolve();
};

/**
 * A published document, live: `document` is a local copy kept in sync both ways over the viewer WebSocket
 * (`/doc/<id>/ws`). Change it (`stream`, `patch`, `edit`, or any model change) and the server persists the change
 * before acknowledging it, then every viewer sees it; changes made by others arrive as `change` events.
 *
 * If the connection drops (server restart, network), local changes keep being recorded; on reconnecting the
 * document is pulled again, what others changed meanwhile is applied locally, and this client's unacknowledged
 * changes are sent as the values they produced — so a stream in flight when the connection dropped is neither
 * lost nor applied twice. Deliberately left out: merging concurrent edits of the same attribute (the last writer
 * wins), and undo of a change the server refused (it stays applied locally; the promise rejects).
 */
export class PublishedDocument {
  private readonly events = new LiveEvents();
  private readonly outbox: Entry[] = [];
  private socket: ProtocolSocket | null = null;
  private stateNow: LiveState = "reconnecting";
  private failure: Error | null = null;
  private readonly unreported: Error[] = [];
  private capture: Entry[] | null = null;
  private readonly unsubscribe: () => void;

  private constructor(
    public info: DocumentInfo,
    readonly document: Document,
    private readonly http: HttpClient,
    private readonly opts: LiveOptions,
  ) {
    this.unsubscribe = document.on_change((ev) => this.onLocalChange(ev));
  }

  /**
   * Connects to a published document. With `local` (the document just published) it becomes the live copy;
   * without, the server's document is pulled and used.
   */
  static async connect(info: DocumentInfo, local: Document | null, http: HttpClient, opts: LiveOptions): Promise<PublishedDocument> {
    const { socket, server, early } = await PublishedDocument.pull(info.id, http, opts);
    const doc = new PublishedDocument(info, local ?? server, http, opts);
    await doc.adopt(socket, server, early);
    return doc;
  }

  get id(): string {
    return this.info.id;
  }

  /** The page to share with people who can log in (`/doc/<id>`). */
  get url(): string {
    return this.info.url;
  }

  /** The link anyone can open without logging in, for a public document; null otherwise. */
  get publicUrl(): string | null {
    return this.info.publicUrl;
  }

  get state(): LiveState {
    return this.stateNow;
  }

  /** Subscribes to `change`, `disconnect`, `reconnect` or `error`; returns the function that unsubscribes. */
  on<K extends keyof LiveEventMap>(event: K, listener: (arg: LiveEventMap[K]) => void): () => void {
    return this.events.on(event, listener);
  }

  /** Appends rows to `source` (every column, same length each), keeping the last `rollover` rows; resolves once stored. */
  stream(source: ColumnDataSource, data: Parameters<ColumnDataSource["stream"]>[0], opts: { rollover?: number } = {}): Promise<void> {
    return this.edit(() => this.sourceOf(source).stream(data, opts.rollover ?? null));
  }

  /** Replaces values of `source` in place (`{col: [[index, value], ...]}`); resolves once stored. */
  patch(source: ColumnDataSource, patches: PatchesInit): Promise<void> {
    return this.edit(() => this.sourceOf(source).patch(patches));
  }

  /** Runs `fn`, which changes the document's models; resolves once the server stored every change it made. */
  async edit(fn: () => void): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.stateNow === "closed") throw new PlothostClientError("this document was closed; open it again with session.open(id)", { code: "closed" });
    const made: Entry[] = [];
    const outer = this.capture;
    this.capture = made;
    try {
      fn();
    } finally {
      this.capture = outer;
      outer?.push(...made);
    }
    await Promise.all(made.map((e) => this.waitFor(e)));
  }

  /** Resolves once every change made so far was stored; rejects with the first refusal since the last flush. */
  async flush(): Promise<void> {
    const results = await Promise.allSettled(this.outbox.map((e) => this.waitFor(e)));
    const failed = this.unreported.splice(0);
    const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed.length > 0) throw failed[0];
    if (rejected) throw rejected.reason;
    if (this.failure) throw this.failure;
  }

  /** Changes the name, title, visibility or sharing (`PATCH /api/v1/docs/:id`); returns the new metadata. */
  async update(patch: { name?: string; title?: string; visibility?: DocumentInfo["visibility"]; sharedWith?: string[] }): Promise<DocumentInfo> {
    this.info = await this.http.request<DocumentInfo>("PATCH", `/api/v1/docs/${encodeURIComponent(this.id)}`, { json: patch, idempotent: true });
    return this.info;
  }

  /** Deletes the document on the server (its viewers are disconnected) and closes this copy. */
  async delete(): Promise<void> {
    await this.http.request("DELETE", `/api/v1/docs/${encodeURIComponent(this.id)}`);
    await this.shutdown(new NotFoundError("the document was deleted", { code: "document_not_found" }));
  }

  /** Waits (bounded by the reconnect timeout) for local changes to be stored, then closes the connection. */
  async close(): Promise<void> {
    if (this.stateNow === "closed") return;
    if (this.stateNow !== "failed") await this.flush().catch(() => {});
    await this.shutdown(new PlothostClientError("the document was closed before this change was stored", { code: "closed" }));
  }

  private async shutdown(reason: Error): Promise<void> {
    if (this.stateNow === "closed") return;
    this.stateNow = "closed";
    this.unsubscribe();
    for (const e of this.outbox.splice(0)) settle(e.waiters, reason);
    const socket = this.socket;
    this.socket = null;
    await socket?.close();
  }

  private sourceOf(source: ColumnDataSource): ColumnDataSource {
    if (source.document !== this.document) {
      throw new ValidationError(`${source} is not part of this document: stream into the source you published`, { code: "bad_request" });
    }
    return source;
  }

  private waitFor(entry: Entry): Promise<void> {
    if (!this.outbox.includes(entry)) return Promise.resolve();
    return new Promise((resolve, reject) => entry.waiters.push({ resolve, reject }));
  }

  private onLocalChange(ev: DocumentChangedEvent): void {
    if (ev.setter === REMOTE) return this.events.emit("change", ev);
    if (this.stateNow === "closed" || this.stateNow === "failed") return;
    const entry: Entry = { payload: serializeEvents([ev], this.document, { threshold: 64 }), events: [ev], waiters: [] };
    this.outbox.push(entry);
    this.capture?.push(entry);
    if (this.stateNow === "open" && this.socket) this.send(entry, this.socket);
  }

  private send(entry: Entry, socket: ProtocolSocket): void {
    socket.request(patchDocFromClient(entry.payload.json, entry.payload.buffers)).then(
      () => this.settleEntry(entry),
      (err: unknown) => {
        if (socket !== this.socket) return; // that connection is gone: the resync after reconnecting covers the entry
        if (err instanceof ProtocolRequestError) {
          const refused = new ValidationError(err.message.replace(/^the server refused the request: /, "the server refused a change: "), { code: "change_refused" });
          if (entry.waiters.length === 0) this.unreported.push(refused); // else the awaiting caller gets it
          this.settleEntry(entry, refused);
          this.events.emit("error", refused);
          return;
        }
        socket.terminate(); // no acknowledgement in time: treat the connection as dead and reconnect
      },
    );
  }

  private settleEntry(entry: Entry, err?: Error): void {
    const i = this.outbox.indexOf(entry);
    if (i >= 0) this.outbox.splice(i, 1);
    settle(entry.waiters, err);
  }

  /** Opens a socket and pulls the server's document. */
  private static async pull(id: string, http: HttpClient, opts: LiveOptions): Promise<{ socket: ProtocolSocket; server: Document; early: Message[] }> {
    const token = http.currentToken();
    const socket = await ProtocolSocket.connect({
      url: socketUrl(`${http.rootUrl}/doc/${encodeURIComponent(id)}`),
      token: generateToken(generateSessionId()),
      headers: token ? { authorization: `Bearer ${token}` } : {},
      timeoutMs: opts.timeoutMs,
    });
    // The server sends changes only after its reply to the pull (earlier ones are in what it pulls), and they may
    // arrive in the same read as the reply, before the awaiting code runs: keep them for adopt().
    const early: Message[] = [];
    socket.onMessage = (m) => void early.push(m);
    try {
      const reply = await socket.request(pullDocReq());
      const server = Document.from_json((reply.content as { doc: Parameters<typeof Document.from_json>[0] }).doc, bufferMap(reply));
      return { socket, server, early };
    } catch (err) {
      socket.terminate();
      throw err;
    }
  }

  /**
   * Makes `socket` (just pulled: `server` is the document as stored) the live connection: applies what others
   * changed to the local copy, then sends this client's unacknowledged changes as one batch of resulting values.
   */
  private async adopt(socket: ProtocolSocket, server: Document, early: Message[]): Promise<void> {
    const pendingNow = () => {
      const p = emptyPending();
      for (const e of this.outbox) for (const ev of e.events) notePending(p, ev);
      return p;
    };
    const fromServer = eventsTowardServer(this.document, server, pendingNow());
    if (fromServer.length > 0) await this.document.apply_json_patch({ events: fromServer }, undefined, REMOTE);
    if (this.stateNow === "closed") return void socket.close();
    const toServer = eventsTowardLocal(this.document, server, pendingNow());
    const covered = this.outbox.splice(0);
    this.socket = socket;
    this.stateNow = "open";
    socket.onMessage = (m) => this.onServerMessage(m);
    void socket.closed.then((c) => this.onClosed(socket, c));
    const waiters = covered.flatMap((e) => e.waiters);
    if (toServer.length > 0) {
      const resync: Entry = { payload: { json: { events: toServer }, buffers: [] }, events: covered.flatMap((e) => e.events), waiters };
      this.outbox.unshift(resync);
      this.send(resync, socket);
    } else {
      settle(waiters);
    }
    for (const m of early) this.onServerMessage(m);
  }

  private onServerMessage(msg: Message): void {
    if (msg.header.msgtype !== "PATCH-DOC") return;
    this.document.apply_json_patch(msg.content as { events: unknown[] }, bufferMap(msg), REMOTE).catch((err: unknown) => {
      // Out of step with the server (should not happen): reconnecting pulls the document again.
      this.events.emit("error", err as Error);
      this.socket?.terminate();
    });
  }

  private onClosed(socket: ProtocolSocket, closed: SocketClosed): void {
    if (socket !== this.socket) return;
    this.socket = null;
    if (this.stateNow !== "open") return;
    if (closed.code === 1008) {
      const reason = closed.reason || "access to this document ended";
      return this.fail(/deleted/.test(reason)
        ? new NotFoundError(`the document was deleted (${reason})`, { code: "document_not_found" })
        : new AuthError(`the server closed the document: ${reason}`, { code: "access_revoked" }));
    }
    this.stateNow = "reconnecting";
    this.events.emit("disconnect", closed);
    void this.reconnect();
  }

  private async reconnect(): Promise<void> {
    const deadline = Date.now() + this.opts.reconnectTimeoutMs;
    for (let attempt = 0; this.stateNow === "reconnecting"; attempt++) {
      try {
        const { socket, server, early } = await PublishedDocument.pull(this.id, this.http, this.opts);
        if (this.stateNow !== "reconnecting") return void socket.close();
        await this.adopt(socket, server, early);
        this.events.emit("reconnect", undefined);
        return;
      } catch (err) {
        if (this.stateNow !== "reconnecting") return;
        if (err instanceof AuthError || err instanceof NotFoundError) return this.fail(err);
        const left = deadline - Date.now();
        if (left <= 0) {
          return this.fail(new ServerUnavailableError(
            `lost the connection to ${this.http.rootUrl} and could not reconnect within ${Math.round(this.opts.reconnectTimeoutMs / 1000)} s (${(err as Error).message})`,
            { code: "server_unreachable", cause: err },
          ));
        }
        await delay(Math.min(left, backoffDelay(attempt, this.opts.backoff)));
      }
    }
  }

  private fail(err: Error): void {
    if (this.stateNow === "closed" || this.stateNow === "failed") return;
    this.stateNow = "failed";
    this.failure = err;
    this.unsubscribe();
    for (const e of this.outbox.splice(0)) settle(e.waiters, err);
    this.events.emit("error", err);
  }
}
