import type { Document } from "../document/index.ts";

/** Default memory budget of the parsed-document cache: 256 MiB. */
export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;

/**
 * Parsed documents kept in memory by id, each tagged with the version it is at, least recently used dropped first
 * once their sizes (encoded bytes, a fair proxy for what the parsed columns take) pass the budget. Why: decoding a
 * large document (two 1,000,000-point Float64 columns: about 7 ms) on every write or read would dominate; with the
 * cache a stream of small writes only pays for applying them. A hit needs the exact version, so a document changed
 * by another process is reloaded, never served stale. A document larger than the whole budget is not kept.
 */
export class LiveCache {
  private readonly entries = new Map<string, { version: number; doc: Document; bytes: number }>();
  private total = 0;

  constructor(private readonly maxBytes: number) {}

  /** The cached document when it is at `version` (marking it recently used), else undefined. */
  get(id: string, version: number): Document | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined || entry.version !== version) return undefined;
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry.doc;
  }

  set(id: string, version: number, doc: Document, bytes: number): void {
    this.delete(id);
    if (bytes > this.maxBytes) return;
    this.entries.set(id, { version, doc, bytes });
    this.total += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.total -= entry.bytes;
    }
  }

  /** Forgets a document, e.g. after a failed write left the live copy ahead of the stored state. */
  delete(id: string): void {
    const entry = this.entries.get(id);
    if (entry === undefined) return;
    this.entries.delete(id);
    this.total -= entry.bytes;
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }
}
