/**
 * Published documents: persistent Bokeh documents owned by a user. This file declares the one storage interface,
 * {@link DocumentStore}, and its record types; `memory.ts`, `file.ts` and `redis.ts` implement it and
 * `create-store.ts` is the only place that chooses between them (it is not re-exported here, so that the
 * implementations can import these types without an import cycle).
 *
 * @module
 */
import type { DocJson, SerializedBuffer } from "../document/index.ts";

/** Who may view a document: only its owner, anyone, or the owner plus the users in `sharedWith`. */
export type Visibility = "private" | "public" | "shared";

/**
 * Everything about a stored document except its content. `version` counts content changes only (1 after
 * `create`, +1 per `replace` or per effective `applyEvents` batch): it is what `expectedVersion` compares against and
 * what change notifications carry, so a viewer can tell whether it missed one. Metadata edits (`updateMeta`) do not
 * bump it, deliberately: renaming a document must not make every open editor's next edit a conflict.
 * `sizeBytes` is the size of the document's stored encoding (see `document-codec.ts`), identical in every
 * backend; it is what the size limits count.
 */
export interface DocumentMeta {
  readonly id: string;
  readonly owner: string;
  readonly name: string;
  readonly title: string;
  readonly visibility: Visibility;
  readonly sharedWith: readonly string[];
  readonly version: number;
  /** ISO 8601. */
  readonly createdAt: string;
  /** ISO 8601; moves on content and metadata changes. */
  readonly updatedAt: string;
  readonly sizeBytes: number;
}

/** A document as `get` returns it: its metadata plus its Bokeh 3 JSON at exactly `meta.version`. */
export interface StoredDocument {
  meta: DocumentMeta;
  /**
   * As `Document.to_json()` writes it (typed arrays inline), or with `bufferThreshold` as
   * `to_json_with_buffers` does (large typed arrays as `{"id"}` references into `buffers`): ready for a
   * PULL-DOC-REPLY or `Document.from_json(doc, buffers by id)`.
   */
  doc: DocJson;
  /** The raw bytes `doc` references; empty without `bufferThreshold`. */
  buffers: SerializedBuffer[];
}

/** Options of `get`. */
export interface GetOptions {
  /**
   * Return typed arrays of at least this many bytes as raw `buffers` instead of inline. Much cheaper for large
   * columns: inline bytes are gzip + base64 (what BokehJS 3.10 reads), which for two 1,000,000-point columns costs
   * hundreds of milliseconds of CPU; raw buffers cost a copy.
   */
  bufferThreshold?: number;
}

/** What `create` needs. Ids are chosen by the store (url-safe, unguessable); owners are opaque user ids. */
export interface NewDocument {
  owner: string;
  name: string;
  /** Defaults to the Bokeh document's title. */
  title?: string;
  /** Defaults to "private". */
  visibility?: Visibility;
  sharedWith?: readonly string[];
  doc: DocJson;
  /** Raw bytes `doc` references by `{"type": "bytes", "data": {"id"}}` (what `to_json_with_buffers` gives). */
  buffers?: ReadonlyMap<string, Uint8Array>;
}

/** The metadata a caller may change; owner, id, timestamps, version and size are the store's. */
export type MetaPatch = Partial<Pick<DocumentMeta, "name" | "title" | "visibility" | "sharedWith">>;

/** Options of the writes that change content or remove a document. */
export interface WriteOptions {
  /** Fail with a 409 `conflict` ({@link VersionConflictError}) unless the document is at this version. */
  expectedVersion?: number;
  /** Who made the change (a session or connection id); echoed in the notification so its author can skip it. */
  origin?: string;
}

/** Options of `replace`. */
export interface ReplaceOptions extends WriteOptions {
  /** Raw bytes `doc` references by `{"type": "bytes", "data": {"id"}}`. */
  buffers?: ReadonlyMap<string, Uint8Array>;
}

/** Options of `applyEvents`. */
export interface ApplyOptions extends WriteOptions {
  /** Binary buffers the events reference by `{"type": "bytes", "data": {"id"}}` (a PATCH-DOC's binary frames). */
  buffers?: ReadonlyMap<string, Uint8Array>;
}

/**
 * What subscribers hear after a change is persisted, in version order per document:
 * - `events`: PATCH-DOC events as Bokeh writes them (inline base64, models new to a receiver in full), ready to be
 *   forwarded to viewers as one PATCH-DOC;
 * - `replaced`: the content changed wholesale (or the events were too big to broadcast); reload it with `get`;
 * - `meta`: the metadata changed (e.g. visibility: re-check viewers' access);
 * - `deleted`: the document is gone; the subscription ends with it.
 * `version` is the content version after the change. A gap (an `events` version other than last + 1) means a
 * notification was lost (Redis pub/sub is at-most-once, e.g. across a reconnect): reload with `get`.
 */
export type DocumentChange =
  | { kind: "events"; id: string; version: number; events: unknown[]; origin: string | null }
  | { kind: "replaced"; id: string; version: number; origin: string | null }
  | { kind: "meta"; id: string; version: number; meta: DocumentMeta; origin: string | null }
  | { kind: "deleted"; id: string; version: number; origin: string | null };

/** Called synchronously, in version order, once per change. A listener that throws is reported, not retried. */
export type ChangeListener = (change: DocumentChange) => void;

/**
 * Something the store noticed but handled itself, for the caller to log (library code in `shared/` never logs):
 * - `corrupt`: a stored record failed its checks; it was skipped (never served) or a log was cut back to its last
 *   good record. `path` is the file or key.
 * - `listener_failed`: a change listener threw.
 * - `bad_message`: a pub/sub message that is not a change notification was ignored.
 * - `connection`: the Redis subscriber connection reported an error (ioredis reconnects by itself).
 */
export type StoreReport =
  | { kind: "corrupt"; id: string | null; path: string; reason: string; action: "skipped" | "truncated" }
  | { kind: "listener_failed"; id: string; error: unknown }
  | { kind: "bad_message"; channel: string; reason: string }
  | { kind: "connection"; error: unknown };

/** Size limits in bytes of the stored encoding. Writes that would pass one fail with a 413 {@link StorageLimitError}. */
export interface StoreLimits {
  /** Largest single document. */
  maxDocumentBytes: number;
  /** Largest total over one owner's documents. Writes that do not grow a document are always allowed. */
  maxUserBytes: number;
}

/** Options every backend takes (each backend adds its own: `directory`, `url`, ...). */
export interface CommonStoreOptions {
  /** Size limits; defaults: 64 MiB per document, 1 GiB per user. */
  limits?: Partial<StoreLimits>;
  /** Receives what the store handled by itself (corrupt records, failing listeners); log it. Default: ignore. */
  report?: (report: StoreReport) => void;
  /** The clock for createdAt/updatedAt (tests pin it). */
  now?: () => Date;
  /**
   * Memory budget for parsed documents kept between calls, in bytes of their encoding (least recently used dropped
   * first). Default 256 MiB.
   */
  cacheBytes?: number;
}

/**
 * The document storage layer published documents sit on. Every write is durable (as far as the backend goes)
 * before its promise resolves, and subscribers are notified after that, in version order. Writes to one document
 * are serialized within a process; across processes (Redis) they use optimistic concurrency, retried internally
 * unless the caller pinned `expectedVersion`.
 *
 * Errors are {@link PlothostError}s: `document_not_found` (404), `conflict` (409, {@link VersionConflictError}),
 * `payload_too_large` (413, {@link StorageLimitError}), `bad_request` (400: malformed document JSON, events or
 * metadata; nothing is changed).
 *
 * Deliberately left out: history/undo (the version is a counter, not a log you can read back), name uniqueness,
 * access control (the caller checks `owner`/`visibility`/`sharedWith`), and several processes sharing one file
 * data directory (one process owns it; use Redis to scale out).
 */
export interface DocumentStore {
  /** Stores a new document at version 1. */
  create(input: NewDocument): Promise<DocumentMeta>;
  /** Metadata plus Bokeh JSON, consistent with each other. */
  get(id: string, opts?: GetOptions): Promise<StoredDocument>;
  getMeta(id: string): Promise<DocumentMeta>;
  /** One owner's documents, oldest first. */
  list(filter: { owner: string }): Promise<DocumentMeta[]>;
  /** Replaces the content (version + 1); subscribers hear `replaced`. */
  replace(id: string, doc: DocJson, opts?: ReplaceOptions): Promise<DocumentMeta>;
  /** Changes name/title/visibility/sharedWith (version unchanged); subscribers hear `meta`. */
  updateMeta(id: string, patch: MetaPatch, opts?: { origin?: string }): Promise<DocumentMeta>;
  /**
   * Applies PATCH-DOC events (ModelChanged, ColumnsStreamed, ColumnsPatched, ColumnDataChanged, RootAdded, ...) as
   * one batch: all of it or nothing is stored, as one version. A batch that changes nothing (e.g. only UI events,
   * or setting a value it already has) is not stored and notifies nobody.
   */
  applyEvents(id: string, events: unknown[], opts?: ApplyOptions): Promise<DocumentMeta>;
  delete(id: string, opts?: WriteOptions): Promise<void>;
  /**
   * Calls `listener` for every later change of the document, including changes made through other store instances
   * on the same Redis. Resolves once the subscription is live: subscribe, then `get`, then ignore notifications
   * whose version is not above the one you got. Returns the function that unsubscribes.
   */
  subscribe(id: string, listener: ChangeListener): Promise<() => void>;
  /** Bytes one owner's documents take (what `maxUserBytes` limits). */
  usage(owner: string): Promise<number>;
  /** Waits for writes in flight, then releases files and connections it owns. Later calls fail. */
  close(): Promise<void>;
}

export { VersionConflictError, StorageLimitError } from "./errors.ts";
