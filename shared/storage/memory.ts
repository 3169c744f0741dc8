import type { Document } from "../document/index.ts";
import { decodeDocument } from "./document-codec.ts";
import type { CommonStoreOptions, DocumentMeta, DocumentStore } from "./index.ts";
import { LocalDocumentStore, type LocalPersistence } from "./local-store.ts";

/** Options of the memory backend: only the common ones. */
export type MemoryStoreOptions = CommonStoreOptions;

/**
 * Keeps each document's encoded bytes in a Map. Storing the encoding rather than only a live document gives the
 * same `sizeBytes` as the persistent backends and lets a failed write be rolled back by reloading it.
 */
class MemoryPersistence implements LocalPersistence {
  private readonly encoded = new Map<string, Buffer>();

  async create(meta: DocumentMeta, encoded: Buffer): Promise<void> {
    this.encoded.set(meta.id, encoded);
  }

  async writeEvents(meta: DocumentMeta, _events: unknown[], encoded: Buffer): Promise<void> {
    this.encoded.set(meta.id, encoded);
  }

  async replace(meta: DocumentMeta, encoded: Buffer): Promise<void> {
    this.encoded.set(meta.id, encoded);
  }

  async writeMeta(): Promise<void> {}

  async delete(meta: DocumentMeta): Promise<void> {
    this.encoded.delete(meta.id);
  }

  async load(meta: DocumentMeta): Promise<Document> {
    return decodeDocument(this.encoded.get(meta.id)!);
  }

  async close(): Promise<void> {
    this.encoded.clear();
  }
}

/** A non-persistent store for tests and demos: everything is lost on `close` or exit. */
export function createMemoryStore(options: MemoryStoreOptions = {}): DocumentStore {
  return new LocalDocumentStore(new MemoryPersistence(), [], options);
}
