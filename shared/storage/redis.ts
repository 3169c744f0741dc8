import { Redis } from "ioredis";
import type { DocJson, Document } from "../document/index.ts";
import { PlothostError } from "../errors/catalogue.ts";
import { applyEventsTo, replayEvents } from "./apply-events.ts";
import { DEFAULT_COMPACTION, shouldCompact, type CompactionPolicy } from "./compaction.ts";
import { CorruptDocumentError, decodeDocument, documentForReader, encodeDocument, parseDocJson } from "./document-codec.ts";
import { StorageLimitError, VersionConflictError, closedStore, notFound } from "./errors.ts";
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
import { metaFromFields, parseChange, statusOf, type Fields } from "./redis-records.ts";
import { META_FIELDS, runScript } from "./redis-scripts.ts";
import { Subscribers } from "./subscribers.ts";

/** Options of the Redis backend. */
export interface RedisStoreOptions extends CommonStoreOptions {
  /** A client to use (the store does not close it; it must not set ioredis' own `keyPrefix`). */
  client?: Redis;
  /** Or a URL (`redis://host:port/db`) to connect to; the store then owns and closes the client. */
  url?: string;
  /** Prefix of every key and channel, so several deployments (or tests) share a server. Default "plothost:docs:". */
  keyPrefix?: string;
  /** When the change log is folded into the body (see `compaction.ts`). */
  compaction?: Partial<CompactionPolicy>;
  /** Event batches whose notification would be larger are announced as `replaced` instead. Default 1 MiB. */
  maxPublishBytes?: number;
  /** How often a write without `expectedVersion` is retried when other processes keep winning. Default 20. */
  maxRetries?: number;
}

const MiB = 1024 * 1024;

/** The state read before a write: metadata, the internal log size and the live document. */
interface Current {
  meta: DocumentMeta;
  log: { bytes: number; records: number };
  doc: Document;
}

/** One write as `retrying` runs it. */
interface PreparedWrite {
  live: Document;
  encoded: Buffer;
  mode: "log" | "body";
  payload: string | Buffer;
  message: string;
}

/**
 * Documents in Redis shared by every process that uses the same server and prefix: each write is a Lua script that
 * checks the version it read (optimistic concurrency; without `expectedVersion` the write is re-applied to the newer
 * state and retried), checks the owner's quota and publishes the notification atomically. Subscribers, local or in
 * other processes, hear every change through pub/sub, in the order the writes happened. Like the file backend, a
 * document is a body plus a log of small change records, folded into the body when the log outgrows it, so that
 * streaming into a large document does not upload the whole document per change. A parsed copy of each recently
 * used document is cached per version, so a process that made the last change does not download the body again.
 */
class RedisDocumentStore implements DocumentStore {
  private readonly locks = new KeyedLock();
  private readonly cache: LiveCache;
  private readonly limits: StoreLimits;
  private readonly subscribers: Subscribers;
  private readonly ready = new Map<string, Promise<unknown>>();
  private readonly report: (report: StoreReport) => void;
  private readonly now: () => Date;
  private readonly prefix: string;
  private readonly compaction: CompactionPolicy;
  private readonly maxPublishBytes: number;
  private readonly maxRetries: number;
  private closed = false;

  constructor(
    private readonly client: Redis,
    private readonly subscriber: Redis,
    private readonly ownsClient: boolean,
    options: RedisStoreOptions,
  ) {
    this.limits = resolveLimits(options.limits);
    this.cache = new LiveCache(options.cacheBytes ?? DEFAULT_CACHE_BYTES);
    this.report = options.report ?? (() => undefined);
    this.subscribers = new Subscribers(this.report);
    this.now = options.now ?? (() => new Date());
    this.prefix = options.keyPrefix ?? "plothost:docs:";
    this.compaction = { ...DEFAULT_COMPACTION, ...options.compaction };
    this.maxPublishBytes = options.maxPublishBytes ?? MiB;
    this.maxRetries = options.maxRetries ?? 20;
    subscriber.on("message", (channel: string, message: string) => this.onMessage(channel, message));
    subscriber.on("error", (error: unknown) => this.report({ kind: "connection", error }));
    if (ownsClient) client.on("error", (error: unknown) => this.report({ kind: "connection", error }));
  }

  async create(input: NewDocument): Promise<DocumentMeta> {
    this.checkOpen();
    const fields = checkNewDocument(input);
    const live = parseDocJson(input.doc, input.buffers);
    const encoded = encodeDocument(live);
    checkDocumentSize(encoded.byteLength, this.limits);
    const at = this.now().toISOString();
    for (;;) {
      const id = newDocumentId();
      const [status, detail] = statusOf(
        await runScript(this.client, "create", [this.key("doc", id), this.key("usage", fields.owner), this.key("owner", fields.owner)], [
          id,
          fields.owner,
          fields.name,
          fields.title,
          fields.visibility,
          JSON.stringify(fields.sharedWith),
          at,
          encoded.byteLength,
          encoded,
          this.limits.maxUserBytes,
        ]),
      );
      if (status === "quota") throw new StorageLimitError("user", this.limits.maxUserBytes, Number(detail));
      if (status === "exists") continue; // a 96-bit id collision: draw again
      const meta = frozenMeta({ id, ...fields, version: 1, createdAt: at, updatedAt: at, sizeBytes: encoded.byteLength });
      this.cache.set(id, 1, live, meta.sizeBytes);
      return meta;
    }
  }

  async get(id: string, opts: GetOptions = {}): Promise<StoredDocument> {
    return this.locked(id, async () => {
      const { meta, doc } = await this.current(id);
      return { meta, ...documentForReader(doc, opts) };
    });
  }

  async getMeta(id: string): Promise<DocumentMeta> {
    this.checkOpen();
    return (await this.readMeta(checkId(id))).meta;
  }

  async list(filter: { owner: string }): Promise<DocumentMeta[]> {
    this.checkOpen();
    const ids = await this.client.smembers(this.key("owner", filter.owner));
    if (ids.length === 0) return [];
    const pipeline = this.client.pipeline();
    for (const id of ids) pipeline.hmget(this.key("doc", id), ...META_FIELDS);
    const replies = (await pipeline.exec()) ?? [];
    const metas: DocumentMeta[] = [];
    replies.forEach(([err, fields], i) => {
      if (err) throw err;
      const found = metaFromFields(ids[i], fields as Fields);
      if (found !== null) metas.push(found.meta);
    });
    return metas.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  async replace(id: string, doc: DocJson, opts: ReplaceOptions = {}): Promise<DocumentMeta> {
    const live = parseDocJson(doc, opts.buffers);
    const encoded = encodeDocument(live);
    checkDocumentSize(encoded.byteLength, this.limits);
    return this.locked(id, () =>
      this.retrying(id, opts.expectedVersion, false, async (meta) => {
        const message = JSON.stringify({ kind: "replaced", id, version: meta.version + 1, origin: opts.origin ?? null });
        return { live, encoded, mode: "body", payload: encoded, message };
      }),
    );
  }

  async updateMeta(id: string, patch: MetaPatch, opts: { origin?: string } = {}): Promise<DocumentMeta> {
    const checked = checkMetaPatch(patch);
    return this.locked(id, async () => {
      const pairs: string[] = [];
      for (const [field, value] of Object.entries(checked)) pairs.push(field, field === "sharedWith" ? JSON.stringify(value) : String(value));
      const reply = await runScript(
        this.client,
        "meta",
        [this.key("doc", id)],
        [id, this.now().toISOString(), this.key("changes", id), JSON.stringify(opts.origin ?? null), ...pairs],
      );
      const found = reply === null ? null : metaFromFields(id, reply as Fields);
      if (found === null) throw notFound(id);
      return found.meta;
    });
  }

  async applyEvents(id: string, events: unknown[], opts: ApplyOptions = {}): Promise<DocumentMeta> {
    return this.locked(id, () =>
      this.retrying(id, opts.expectedVersion, true, async (meta, log, doc) => {
        const applied = await applyEventsTo(doc!, events, opts.buffers);
        if (applied.length === 0) return null;
        const encoded = encodeDocument(doc!);
        checkDocumentSize(encoded.byteLength, this.limits);
        const version = meta.version + 1;
        const record = JSON.stringify({ v: version, events: applied });
        const compact = shouldCompact(log, Buffer.byteLength(record), encoded.byteLength, this.compaction);
        const origin = opts.origin ?? null;
        let message = JSON.stringify({ kind: "events", id, version, events: applied, origin });
        if (Buffer.byteLength(message) > this.maxPublishBytes) message = JSON.stringify({ kind: "replaced", id, version, origin });
        return { live: doc!, encoded, mode: compact ? "body" : "log", payload: compact ? encoded : record, message };
      }),
    );
  }

  async delete(id: string, opts: WriteOptions = {}): Promise<void> {
    await this.locked(id, async () => {
      const { meta } = await this.readMeta(id);
      checkExpectedVersion(id, meta.version, opts.expectedVersion);
      const [status, detail] = statusOf(
        await runScript(
          this.client,
          "delete",
          [this.key("doc", id), this.key("usage", meta.owner), this.key("owner", meta.owner), this.key("log", id)],
          [opts.expectedVersion === undefined ? "" : String(opts.expectedVersion), id, this.key("changes", id), JSON.stringify(opts.origin ?? null)],
        ),
      );
      this.cache.delete(id);
      if (status === "missing") throw notFound(id);
      if (status === "conflict") throw new VersionConflictError(id, opts.expectedVersion ?? null, Number(detail));
    });
  }

  async subscribe(id: string, listener: ChangeListener): Promise<() => void> {
    this.checkOpen();
    await this.readMeta(checkId(id));
    const { first, remove } = this.subscribers.add(id, listener);
    if (first) this.ready.set(id, this.subscriber.subscribe(this.key("changes", id)));
    const unsubscribe = () => {
      if (remove()) this.unlisten(id);
    };
    try {
      await this.ready.get(id);
    } catch (err) {
      unsubscribe();
      throw err;
    }
    return unsubscribe;
  }

  async usage(owner: string): Promise<number> {
    this.checkOpen();
    return Number((await this.client.get(this.key("usage", owner))) ?? 0);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.locks.idle();
    this.subscribers.clear();
    this.ready.clear();
    this.cache.clear();
    await closeConnection(this.subscriber);
    if (this.ownsClient) await closeConnection(this.client);
  }

  /**
   * The optimistic write loop: read the current state, let `prepare` compute the write (null: nothing to write),
   * run it conditioned on the version read. Another process winning in between means reading again and, unless
   * the caller pinned `expectedVersion`, re-applying on the newer state.
   */
  private async retrying(
    id: string,
    expectedVersion: number | undefined,
    needsDoc: boolean,
    prepare: (meta: DocumentMeta, log: Current["log"], doc: Document | null) => Promise<PreparedWrite | null>,
  ): Promise<DocumentMeta> {
    let actual: number | null = null;
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      const { meta, log, doc } = needsDoc ? await this.current(id) : { ...(await this.readMeta(id)), doc: null };
      checkExpectedVersion(id, meta.version, expectedVersion);
      let write: PreparedWrite | null;
      try {
        write = await prepare(meta, log, doc);
      } catch (err) {
        this.cache.delete(id); // the cached copy may be part-way through the batch
        throw err;
      }
      if (write === null) return meta;
      const updatedAt = this.now().toISOString();
      const [status, detail] = statusOf(
        await runScript(
          this.client,
          "write",
          [this.key("doc", id), this.key("usage", meta.owner), this.key("log", id)],
          [meta.version, updatedAt, write.encoded.byteLength, this.limits.maxUserBytes, write.mode, write.payload, this.key("changes", id), write.message],
        ),
      );
      if (status === "ok") {
        const next = frozenMeta({ ...meta, version: meta.version + 1, updatedAt, sizeBytes: write.encoded.byteLength });
        this.cache.set(id, next.version, write.live, next.sizeBytes);
        return next;
      }
      this.cache.delete(id);
      if (status === "missing") throw notFound(id);
      if (status === "quota") throw new StorageLimitError("user", this.limits.maxUserBytes, Number(detail));
      actual = Number(detail);
      if (expectedVersion !== undefined) throw new VersionConflictError(id, expectedVersion, actual);
    }
    throw new VersionConflictError(id, null, actual);
  }

  /** The current metadata and live document (from the cache when it is at the current version). */
  private async current(id: string): Promise<Current> {
    const { meta, log } = await this.readMeta(id);
    const cached = this.cache.get(id, meta.version);
    if (cached !== undefined) return { meta, log, doc: cached };
    const reply = (await runScript(this.client, "load", [this.key("doc", id), this.key("log", id)], [])) as [Fields, Buffer, Buffer[]] | null;
    const found = reply === null ? null : metaFromFields(id, reply[0]);
    if (reply === null || found === null) throw notFound(id);
    let doc: Document;
    try {
      doc = decodeDocument(reply[1]);
      const records = reply[2].map((r) => JSON.parse(r.toString()) as { v: number; events: unknown[] });
      records.forEach((r, i) => {
        if (r.v !== found.meta.version - records.length + 1 + i) throw new CorruptDocumentError(`log record ${i} is version ${r.v}`);
      });
      for (const record of records) await replayEvents(doc, record.events);
    } catch (err) {
      this.report({ kind: "corrupt", id, path: this.key("doc", id), reason: (err as Error).message, action: "skipped" });
      throw new PlothostError("internal", `document ${id} could not be loaded`, { cause: err });
    }
    this.cache.set(id, found.meta.version, doc, found.meta.sizeBytes);
    return { ...found, doc };
  }

  private async readMeta(id: string): Promise<{ meta: DocumentMeta; log: Current["log"] }> {
    const found = metaFromFields(id, await this.client.hmget(this.key("doc", id), ...META_FIELDS));
    if (found === null) throw notFound(id);
    return found;
  }

  private onMessage(channel: string, message: string): void {
    const change = parseChange(channel.slice(this.key("changes", "").length), message);
    if (typeof change === "string") {
      this.report({ kind: "bad_message", channel, reason: change });
      return;
    }
    this.subscribers.emit(change);
    if (change.kind === "deleted") this.unlisten(change.id);
  }

  private unlisten(id: string): void {
    this.ready.delete(id);
    if (this.closed) return;
    this.subscriber.unsubscribe(this.key("changes", id)).catch((error: unknown) => this.report({ kind: "connection", error }));
  }

  private locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    this.checkOpen();
    checkId(id);
    return this.locks.run(id, async () => {
      this.checkOpen();
      return fn();
    });
  }

  private key(kind: "doc" | "log" | "owner" | "usage" | "changes", name: string): string {
    return `${this.prefix}${kind}:${name}`;
  }

  private checkOpen(): void {
    if (this.closed) throw closedStore();
  }
}

/** Opens the Redis store on `options.client` (or a client for `options.url`), checking the server answers. */
export async function openRedisStore(options: RedisStoreOptions): Promise<DocumentStore> {
  if (options.client === undefined && options.url === undefined) throw new TypeError("the redis store needs a client or a url");
  const client = options.client ?? new Redis(options.url!);
  const subscriber = client.duplicate();
  try {
    await Promise.all([client.ping(), subscriber.ping()]);
  } catch (err) {
    subscriber.disconnect();
    if (options.client === undefined) client.disconnect();
    throw err;
  }
  return new RedisDocumentStore(client, subscriber, options.client === undefined, options);
}

/**
 * Closes a connection politely when Redis answers (QUIT, bounded), at once when it does not: a QUIT queued for a
 * Redis that is down would wait for a reconnection that may never come, and hang the gateway's shutdown.
 */
async function closeConnection(c: Redis): Promise<void> {
  if (c.status === "ready") {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([c.quit(), new Promise((resolve) => { timer = setTimeout(resolve, 1000); })]).catch(() => {});
    clearTimeout(timer);
  }
  c.disconnect();
}
