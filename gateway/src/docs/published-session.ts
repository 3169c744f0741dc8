import { Document, serializeEvents, type DocJson, type Model } from "../../../shared/index.ts";
import { ServerSession, type SessionSubscriber } from "../../../shared/session/server-session.ts";
import type { DocumentChange, DocumentMeta, DocumentStore } from "../../../shared/storage/index.ts";
import { PlothostError } from "../../../shared/errors/catalogue.ts";
import { isViewLocal } from "./view-local-events.ts";
import { prepareLargeSources } from "./large-sources.ts";
import { ViewerViews } from "./viewer-views.ts";

/** What a viewer's connection may do: `view` changes nothing; `interact` changes widgets and data. */
export type AccessMode = "view" | "interact";

/** Options of a published document's live session. */
export interface PublishedSessionOptions {
  binaryThresholdBytes: number;
  onCallbackError: (err: unknown, where: string) => void;
  /** Data sources with at least this many rows are downsampled per viewer (0 or unset: never). */
  downsampleThresholdRows?: number;
  /** Coalescing delay of a viewer's downsampled view updates (default 30 ms). */
  downsampleDebounceMs?: number;
}

/** Marks changes that came from the store (another process, the HTTP API): every viewer receives them. */
const FROM_STORE = Symbol("store");

const rangeIdsOf = (doc: Document): Set<string> =>
  new Set([...doc.models.values()].filter((m: Model) => /Range/.test(m.type)).map((m) => m.id));

/**
 * The live session of one published document, shared by all its viewers. A viewer's change is persisted in the
 * store before it is acknowledged, then applied here, which sends it to the other viewers in the same turn.
 * Changes that arrive from the store (the HTTP API, scripts, other processes) are applied and sent to everyone.
 * View-local events (layout, pan/zoom) are acknowledged but neither stored nor shared.
 */
export class PublishedSession extends ServerSession {
  private readonly modes = new WeakMap<object, AccessMode>();
  private version: number;
  private rangeIds: Set<string>;
  private reloading: Promise<void> | null = null;
  /** Per-viewer views of the document's large data sources (see `large-sources.ts`). */
  private readonly views: ViewerViews;

  constructor(
    readonly docId: string,
    doc: Document,
    public meta: DocumentMeta,
    private readonly store: DocumentStore,
    /** This gateway process's origin tag: the store echoes it back on our own writes, which we skip. */
    readonly origin: string,
    private readonly publishOpts: PublishedSessionOptions,
  ) {
    super(`doc:${docId}`, doc, publishOpts);
    this.version = meta.version;
    this.views = new ViewerViews({
      run: (fn) => this.withDocument(fn),
      debounceMs: publishOpts.downsampleDebounceMs ?? 30,
      binaryThresholdBytes: publishOpts.binaryThresholdBytes,
      onError: (err) => publishOpts.onCallbackError(err, "downsampled view"),
    });
    this.views.reset(prepareLargeSources(doc, publishOpts.downsampleThresholdRows ?? 0));
    this.rangeIds = rangeIdsOf(doc);
  }

  static async open(store: DocumentStore, docId: string, origin: string, opts: PublishedSessionOptions): Promise<PublishedSession> {
    const stored = await store.get(docId);
    return new PublishedSession(docId, Document.from_json(stored.doc), stored.meta, store, origin, opts);
  }

  /** Records what a connection may do; call before it sends anything. */
  setMode(connection: object, mode: AccessMode): void {
    this.modes.set(connection, mode);
  }

  override async applyClientPatch(content: { events: unknown[] }, buffers: Map<string, Uint8Array>, setter: unknown): Promise<void> {
    this.views.observe(setter as SessionSubscriber, content.events);
    const shared = content.events.filter((e) => !isViewLocal(e, this.rangeIds));
    if (shared.length === 0) return;
    if (this.modes.get(setter as object) !== "interact") {
      throw new PlothostError("read_only_view", `${shared.length} change(s) refused`);
    }
    const meta = await this.store.applyEvents(this.docId, shared, { buffers, origin: this.origin });
    await this.document.apply_json_patch({ events: shared }, buffers, setter);
    this.version = meta.version;
  }

  override async replaceFromClient(): Promise<void> {
    throw new PlothostError("read_only_view", "a published document is replaced through the HTTP API (PUT /api/v1/docs/:id), not by PUSH-DOC");
  }

  override unsubscribe(s: SessionSubscriber): void {
    super.unsubscribe(s);
    this.views.forget(s);
  }

  override destroy(): Promise<void> {
    this.views.close();
    return super.destroy();
  }

  /** Applies a change notification from the store (under the document lock). */
  async onStoreChange(change: DocumentChange): Promise<void> {
    if (change.origin === this.origin && change.kind !== "meta" && change.version <= this.version) return;
    if (change.kind === "meta") {
      this.meta = change.meta;
      return;
    }
    if (change.kind === "deleted") return;
    // Versions are compared under the lock: a viewer's change holds it while it is stored, and the store may
    // announce that write (our own origin) before the viewer's change has been applied here and counted.
    const behind = await this.withDocument(async (doc) => {
      if (change.version <= this.version) return false;
      if (change.kind !== "events" || change.version !== this.version + 1) return true;
      // A large source's live data is a view: a change to its columns is applied to the stored document and reloaded.
      if (change.events.some((e) => this.views.covers(String((e as { model?: { id?: unknown } })?.model?.id)))) return true;
      await doc.apply_json_patch({ events: change.events }, undefined, FROM_STORE);
      this.version = change.version;
      this.rangeIds = rangeIdsOf(this.document);
      return false;
    });
    if (behind) await this.reload();
  }

  /** Reloads the whole document from the store and swaps it in front of every viewer (roots out, roots in). */
  reload(): Promise<void> {
    this.reloading ??= this.lock.run(async () => {
      const stored = await this.store.get(this.docId);
      this.swap(stored.doc);
      this.meta = stored.meta;
      this.version = stored.meta.version;
    }).finally(() => { this.reloading = null; });
    return this.reloading;
  }

  private swap(json: DocJson): void {
    const old = this.document;
    const next = Document.from_json(json);
    const large = prepareLargeSources(next, this.publishOpts.downsampleThresholdRows ?? 0);
    const removed = serializeEvents(old.roots.map((model) => ({ kind: "RootRemoved" as const, model, setter: FROM_STORE })), old);
    const added = serializeEvents([
      { kind: "TitleChanged" as const, title: next.title, setter: FROM_STORE },
      ...next.roots.map((model) => ({ kind: "RootAdded" as const, model, setter: FROM_STORE })),
    ], next);
    this.replaceDocument(next);
    this.views.reset(large);
    this.rangeIds = rangeIdsOf(next);
    if (removed.json.events.length > 0) this.sendToAll(removed);
    this.sendToAll(added);
  }
}
