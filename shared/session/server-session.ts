import { Document, runWithDocument, serializeEvents, type DocumentChangedEvent, type Serialized } from "../index.ts";
import { DocumentLock } from "./document-lock.ts";

/** Something attached to a session that wants its outgoing changes: one protocol connection. */
export interface SessionSubscriber {
  /** False until the subscriber pulled the document; changes before that are part of what it pulls. */
  readonly pulled: boolean;
  sendPatch(patch: Serialized<{ events: unknown[] }>): void;
}

/**
 * One live session: a document, the lock every callback on it runs under, and the connections that see it.
 * A change made by a connection is not echoed back to it (the event's `setter` is that connection).
 */
export class ServerSession {
  readonly lock = new DocumentLock();
  private readonly subscribers = new Set<SessionSubscriber>();
  private detachedAt: number = Date.now();
  private destroyPromise: Promise<void> | null = null;
  private unsubscribeDoc: () => void;

  constructor(
    readonly id: string,
    private doc: Document,
    private readonly opts: { binaryThresholdBytes: number; onCallbackError: (err: unknown, where: string) => void },
  ) {
    this.unsubscribeDoc = this.wire(doc);
  }

  get document(): Document {
    return this.doc;
  }

  get destroyed(): boolean {
    return this.destroyPromise !== null;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Milliseconds since the last subscriber left (0 while any is attached). */
  idleFor(now = Date.now()): number {
    return this.subscribers.size > 0 ? 0 : now - this.detachedAt;
  }

  subscribe(s: SessionSubscriber): void {
    this.subscribers.add(s);
  }

  unsubscribe(s: SessionSubscriber): void {
    if (this.subscribers.delete(s) && this.subscribers.size === 0) this.detachedAt = Date.now();
  }

  /** Runs `fn` under the document lock with this session's document as `curdoc()`. */
  withDocument<T>(fn: (doc: Document) => T | Promise<T>): Promise<T> {
    return this.lock.run(() => runWithDocument(this.doc, () => fn(this.doc)));
  }

  /**
   * Applies a client's PATCH-DOC (under the lock, by the connection). An app session applies it to its document,
   * which runs the app's callbacks; a published document's session persists it first (override).
   * @param setter the connection, so the change is not echoed back to it
   */
  applyClientPatch(content: { events: unknown[] }, buffers: Map<string, Uint8Array>, setter: unknown): Promise<void> {
    return this.doc.apply_json_patch(content, buffers, setter);
  }

  /** A client's PUSH-DOC: the document replaced wholesale (`bokeh.client` push sessions). */
  async replaceFromClient(json: Parameters<typeof Document.from_json>[0], buffers: Map<string, Uint8Array>): Promise<void> {
    this.replaceDocument(Document.from_json(json, buffers));
  }

  /** Replaces the document wholesale. */
  replaceDocument(next: Document): void {
    this.unsubscribeDoc();
    void this.doc.destroy();
    this.doc = next;
    this.unsubscribeDoc = this.wire(next);
  }

  /** Sends a ready-made PATCH-DOC to every subscriber that pulled (e.g. the roots of a replaced document). */
  sendToAll(patch: Serialized<{ events: unknown[] }>): void {
    for (const s of this.subscribers) if (s.pulled) s.sendPatch(patch);
  }

  /** Clears timers and runs on_session_destroyed callbacks once, after queued work finishes. */
  destroy(): Promise<void> {
    this.destroyPromise ??= this.lock.run(async () => {
      this.unsubscribeDoc();
      this.subscribers.clear();
      await this.doc.destroy();
    });
    return this.destroyPromise;
  }

  private wire(doc: Document): () => void {
    doc.set_callback_invoker((cb) => this.withDocument(async () => {
      await cb();
    }).catch((err) => this.opts.onCallbackError(err, "callback")));
    doc.set_error_handler((err, where) => this.opts.onCallbackError(err, where));
    return doc.on_change((ev) => this.broadcast(ev));
  }

  private broadcast(ev: DocumentChangedEvent): void {
    let patch: Serialized<{ events: unknown[] }> | null = null;
    for (const s of this.subscribers) {
      if (!s.pulled || s === ev.setter) continue;
      patch ??= serializeEvents([ev], this.doc, { threshold: this.opts.binaryThresholdBytes });
      s.sendPatch(patch);
    }
  }
}
