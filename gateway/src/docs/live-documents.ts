import { randomUUID } from "node:crypto";
import type { DocumentMeta, DocumentStore } from "../../../shared/storage/index.ts";
import type { Logger } from "../../../shared/logging/create-logger.ts";
import { PublishedSession } from "./published-session.ts";

/** A viewer's connection as the registry sees it: how to cut it off, and whether it may still see the document. */
export interface Viewer {
  /** Re-checks access after a metadata change (e.g. visibility); false disconnects the viewer. */
  stillAllowed(meta: DocumentMeta): boolean;
  close(code: number, reason: string): void;
}

/** WebSocket close code for a viewer whose access ended (policy violation). */
export const CLOSE_ACCESS_REVOKED = 1008;

interface Entry {
  session: PublishedSession;
  unsubscribe: () => void;
  viewers: Set<Viewer>;
  idleTimer: NodeJS.Timeout | null;
}

/**
 * The live sessions of published documents in this gateway process, one per document with viewers. Each follows
 * the store's change notifications (so API writes and other processes reach its viewers), disconnects viewers who
 * lost access when the metadata changes, and is unloaded a while after its last viewer left.
 */
export class LiveDocuments {
  private readonly entries = new Map<string, Promise<Entry>>();
  /** Identifies this process's writes in store notifications. */
  readonly origin = `gw:${randomUUID()}`;

  constructor(
    private readonly store: DocumentStore,
    private readonly opts: {
      logger: Logger; idleUnloadMs: number; binaryThresholdBytes: number;
      /** Data sources with at least this many rows are downsampled per viewer (0 or unset: never). */
      downsampleThresholdRows?: number;
    },
  ) {}

  /** The live session of a document, loading it (and subscribing to its changes) if needed. */
  async session(docId: string): Promise<PublishedSession> {
    return (await this.entry(docId)).session;
  }

  /** Registers a viewer of a document: its live session, and the function to call when the viewer leaves. */
  async join(docId: string, viewer: Viewer): Promise<{ session: PublishedSession; leave: () => void }> {
    const entry = await this.entry(docId);
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    entry.idleTimer = null;
    entry.viewers.add(viewer);
    return {
      session: entry.session,
      leave: () => {
        entry.viewers.delete(viewer);
        this.scheduleUnload(docId, entry);
      },
    };
  }

  /** Viewer-less sessions (loaded for an API call, or after the last viewer left) are dropped after a while. */
  private scheduleUnload(docId: string, entry: Entry): void {
    if (entry.viewers.size > 0 || entry.idleTimer) return;
    entry.idleTimer = setTimeout(() => void this.unload(docId), this.opts.idleUnloadMs);
    entry.idleTimer.unref();
  }

  async close(): Promise<void> {
    const all = [...this.entries.keys()];
    await Promise.all(all.map((id) => this.unload(id)));
  }

  private entry(docId: string): Promise<Entry> {
    let p = this.entries.get(docId);
    if (!p) {
      p = this.load(docId);
      this.entries.set(docId, p);
      p.catch(() => this.entries.delete(docId));
    }
    return p;
  }

  private async load(docId: string): Promise<Entry> {
    const log = this.opts.logger.child({ docId });
    let entry: Entry | null = null;
    const queued: Parameters<PublishedSession["onStoreChange"]>[0][] = [];
    // Subscribe first, then load: notifications older than what we load are skipped by version.
    const unsubscribe = await this.store.subscribe(docId, (change) => {
      if (!entry) return void queued.push(change);
      void this.handleChange(docId, entry, change).catch((err) => log.error({ err }, "could not apply a stored change"));
    });
    let session: PublishedSession;
    try {
      session = await PublishedSession.open(this.store, docId, this.origin, {
        binaryThresholdBytes: this.opts.binaryThresholdBytes,
        downsampleThresholdRows: this.opts.downsampleThresholdRows,
        onCallbackError: (err, where) => log.error({ err, where }, "error in document callback"),
      });
    } catch (err) {
      unsubscribe();
      throw err;
    }
    const loaded: Entry = { session, unsubscribe, viewers: new Set(), idleTimer: null };
    for (const change of queued) await this.handleChange(docId, loaded, change);
    entry = loaded;
    this.scheduleUnload(docId, loaded);
    return loaded;
  }

  private async handleChange(docId: string, entry: Entry, change: Parameters<PublishedSession["onStoreChange"]>[0]): Promise<void> {
    await entry.session.onStoreChange(change);
    if (change.kind === "deleted") {
      for (const v of entry.viewers) v.close(CLOSE_ACCESS_REVOKED, "document deleted");
      await this.unload(docId);
    } else if (change.kind === "meta") {
      for (const v of entry.viewers) if (!v.stillAllowed(change.meta)) v.close(CLOSE_ACCESS_REVOKED, "access to this document was revoked");
    }
  }

  private async unload(docId: string): Promise<void> {
    const p = this.entries.get(docId);
    if (!p) return;
    this.entries.delete(docId);
    const entry = await p.catch(() => null);
    if (!entry) return;
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    entry.unsubscribe();
    await entry.session.destroy();
  }
}
