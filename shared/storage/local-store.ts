import type { DocJson, Document } from "../document/index.ts";
import { PlothostError } from "../errors/catalogue.ts";
import { applyEventsTo } from "./apply-events.ts";
import { CorruptDocumentError, documentForReader, encodeDocument, parseDocJson } from "./document-codec.ts";
import { closedStore, notFound } from "./errors.ts";
import type {
  ApplyOptions,
  ChangeListener,
  CommonStoreOptions,
  DocumentMeta,
  DocumentStore,
  GetOptions,
  MetaPatch,
  NewDocument,
  ReplaceOptions,
  StoreLimits,
  StoreReport,
  StoredDocument,
  WriteOptions,
} from "./index.ts";
import { KeyedLock } from "./keyed-lock.ts";
import { DEFAULT_CACHE_BYTES, LiveCache } from "./live-cache.ts";
import { QuotaLedger, type Reservation } from "./quota-ledger.ts";
import {
  checkDocumentSize,
  checkExpectedVersion,
  checkId,
  checkMetaPatch,
  checkNewDocument,
  frozenMeta,
  newDocumentId,
  resolveLimits,
} from "./records.ts";
import { Subscribers } from "./subscribers.ts";

/**
 * Where an in-process store keeps its committed state: memory (`memory.ts`) or a data directory (`file.ts`). Each
 * method persists one committed change and resolves once it is durable; the store calls them under the document's
 * lock, after every check passed, with the record as it will be after the change.
 */
export interface LocalPersistence {
  create(meta: DocumentMeta, encoded: Buffer): Promise<void>;
  /** An applied batch: `meta` is at the new version, `encoded` the whole new content, `events` how it got there. */
  writeEvents(meta: DocumentMeta, events: unknown[], encoded: Buffer): Promise<void>;
  replace(meta: DocumentMeta, encoded: Buffer): Promise<void>;
  writeMeta(meta: DocumentMeta): Promise<void>;
  delete(meta: DocumentMeta): Promise<void>;
  /** The live document at `meta.version` (the store caches it); may throw {@link CorruptDocumentError}. */
  load(meta: DocumentMeta): Promise<Document>;
  close(): Promise<void>;
}

/**
 * The {@link DocumentStore} logic for stores whose state lives in this process (an index of metadata, per-owner
 * byte counts, per-document locks, local subscribers), with the persistence plugged in. Every write runs under its
 * document's lock: check, apply to the cached live document, encode (which gives the size to check against the
 * limits), persist, then update the index and notify, so a write is durable before anyone hears of it.
 */
export class LocalDocumentStore implements DocumentStore {
  private readonly index = new Map<string, DocumentMeta>();
  private readonly locks = new KeyedLock();
  private readonly cache: LiveCache;
  private readonly ledger: QuotaLedger;
  private readonly limits: StoreLimits;
  private readonly subscribers: Subscribers;
  private readonly report: (report: StoreReport) => void;
  private readonly now: () => Date;
  private closed = false;

  constructor(
    private readonly persistence: LocalPersistence,
    existing: readonly DocumentMeta[],
    options: CommonStoreOptions = {},
  ) {
    this.limits = resolveLimits(options.limits);
    this.ledger = new QuotaLedger(this.limits.maxUserBytes);
    this.cache = new LiveCache(options.cacheBytes ?? DEFAULT_CACHE_BYTES);
    this.report = options.report ?? (() => undefined);
    this.subscribers = new Subscribers(this.report);
    this.now = options.now ?? (() => new Date());
    for (const meta of existing) {
      this.index.set(meta.id, frozenMeta(meta));
      this.ledger.add(meta.owner, meta.sizeBytes);
    }
  }

  async create(input: NewDocument): Promise<DocumentMeta> {
    this.checkOpen();
    const fields = checkNewDocument(input);
    const live = parseDocJson(input.doc, input.buffers);
    const encoded = encodeDocument(live);
    checkDocumentSize(encoded.byteLength, this.limits);
    const id = newDocumentId();
    const at = this.now().toISOString();
    const meta = frozenMeta({ id, ...fields, version: 1, createdAt: at, updatedAt: at, sizeBytes: encoded.byteLength });
    return this.locks.run(id, async () => {
      await this.persistWithQuota(meta.owner, meta.sizeBytes, () => this.persistence.create(meta, encoded));
      this.index.set(id, meta);
      this.cache.set(id, meta.version, live, meta.sizeBytes);
      return meta;
    });
  }

  async get(id: string, opts: GetOptions = {}): Promise<StoredDocument> {
    return this.locked(id, async (meta) => ({ meta, ...documentForReader(await this.live(meta), opts) }));
  }

  async getMeta(id: string): Promise<DocumentMeta> {
    this.checkOpen();
    return this.meta(checkId(id));
  }

  async list(filter: { owner: string }): Promise<DocumentMeta[]> {
    this.checkOpen();
    return [...this.index.values()]
      .filter((meta) => meta.owner === filter.owner)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async replace(id: string, doc: DocJson, opts: ReplaceOptions = {}): Promise<DocumentMeta> {
    return this.locked(id, async (meta) => {
      checkExpectedVersion(id, meta.version, opts.expectedVersion);
      const live = parseDocJson(doc, opts.buffers);
      const encoded = encodeDocument(live);
      checkDocumentSize(encoded.byteLength, this.limits);
      const next = this.bumped(meta, encoded.byteLength);
      await this.persistWithQuota(meta.owner, next.sizeBytes - meta.sizeBytes, () => this.persistence.replace(next, encoded));
      this.commit(next, live);
      this.subscribers.emit({ kind: "replaced", id, version: next.version, origin: opts.origin ?? null });
      return next;
    });
  }

  async updateMeta(id: string, patch: MetaPatch, opts: { origin?: string } = {}): Promise<DocumentMeta> {
    const checked = checkMetaPatch(patch);
    return this.locked(id, async (meta) => {
      const next = frozenMeta({ ...meta, ...checked, updatedAt: this.now().toISOString() });
      await this.persistence.writeMeta(next);
      this.index.set(id, next);
      this.subscribers.emit({ kind: "meta", id, version: next.version, meta: next, origin: opts.origin ?? null });
      return next;
    });
  }

  async applyEvents(id: string, events: unknown[], opts: ApplyOptions = {}): Promise<DocumentMeta> {
    return this.locked(id, async (meta) => {
      checkExpectedVersion(id, meta.version, opts.expectedVersion);
      const live = await this.live(meta);
      // From here on `live` may be ahead of the stored state: any failure drops it from the cache.
      try {
        const applied = await applyEventsTo(live, events, opts.buffers);
        if (applied.length === 0) return meta;
        const encoded = encodeDocument(live);
        checkDocumentSize(encoded.byteLength, this.limits);
        const next = this.bumped(meta, encoded.byteLength);
        await this.persistWithQuota(meta.owner, next.sizeBytes - meta.sizeBytes, () =>
          this.persistence.writeEvents(next, applied, encoded),
        );
        this.commit(next, live);
        this.subscribers.emit({ kind: "events", id, version: next.version, events: applied, origin: opts.origin ?? null });
        return next;
      } catch (err) {
        this.cache.delete(id);
        throw err;
      }
    });
  }

  async delete(id: string, opts: WriteOptions = {}): Promise<void> {
    await this.locked(id, async (meta) => {
      checkExpectedVersion(id, meta.version, opts.expectedVersion);
      await this.persistWithQuota(meta.owner, -meta.sizeBytes, () => this.persistence.delete(meta));
      this.index.delete(id);
      this.cache.delete(id);
      this.subscribers.emit({ kind: "deleted", id, version: meta.version, origin: opts.origin ?? null });
    });
  }

  async subscribe(id: string, listener: ChangeListener): Promise<() => void> {
    this.checkOpen();
    this.meta(checkId(id));
    const { remove } = this.subscribers.add(id, listener);
    return () => void remove();
  }

  async usage(owner: string): Promise<number> {
    this.checkOpen();
    return this.ledger.usage(owner);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.locks.idle();
    this.subscribers.clear();
    this.cache.clear();
    await this.persistence.close();
  }

  /** Runs `fn` under the document's lock with its current metadata (404 when there is none). */
  private locked<T>(id: string, fn: (meta: DocumentMeta) => Promise<T>): Promise<T> {
    this.checkOpen();
    checkId(id);
    return this.locks.run(id, async () => {
      this.checkOpen();
      return fn(this.meta(id));
    });
  }

  private meta(id: string): DocumentMeta {
    const meta = this.index.get(id);
    if (meta === undefined) throw notFound(id);
    return meta;
  }

  private async live(meta: DocumentMeta): Promise<Document> {
    const cached = this.cache.get(meta.id, meta.version);
    if (cached !== undefined) return cached;
    let doc: Document;
    try {
      doc = await this.persistence.load(meta);
    } catch (err) {
      if (!(err instanceof CorruptDocumentError)) throw err;
      this.report({ kind: "corrupt", id: meta.id, path: err.path ?? meta.id, reason: err.message, action: "skipped" });
      throw new PlothostError("internal", `document ${meta.id} could not be loaded`, { cause: err });
    }
    this.cache.set(meta.id, meta.version, doc, meta.sizeBytes);
    return doc;
  }

  private bumped(meta: DocumentMeta, sizeBytes: number): DocumentMeta {
    return frozenMeta({ ...meta, version: meta.version + 1, updatedAt: this.now().toISOString(), sizeBytes });
  }

  private commit(next: DocumentMeta, live: Document): void {
    this.index.set(next.id, next);
    this.cache.set(next.id, next.version, live, next.sizeBytes);
  }

  /** Reserves the owner's growth (413 when over quota), persists, then commits or releases the reservation. */
  private async persistWithQuota(owner: string, delta: number, persist: () => Promise<void>): Promise<void> {
    const reservation: Reservation = this.ledger.reserve(owner, delta);
    try {
      await persist();
    } catch (err) {
      reservation.abort();
      throw err;
    }
    reservation.commit();
  }

  private checkOpen(): void {
    if (this.closed) throw closedStore();
  }
}
