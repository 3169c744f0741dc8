import { openFileStore, type FileStoreOptions } from "./file.ts";
import type { DocumentStore } from "./index.ts";
import { createMemoryStore, type MemoryStoreOptions } from "./memory.ts";
import { openRedisStore, type RedisStoreOptions } from "./redis.ts";

/**
 * Which backend, with its options. `backend` defaults to "file" (persistent on one host, nothing else to run);
 * "redis" is for several gateway/worker processes serving the same documents; "memory" for tests and demos.
 */
export type StoreConfig =
  | ({ backend: "memory" } & MemoryStoreOptions)
  | ({ backend?: "file" } & FileStoreOptions)
  | ({ backend: "redis" } & RedisStoreOptions);

/** The only place that chooses a {@link DocumentStore} implementation. Close the store when done. */
export async function createStore(config: StoreConfig): Promise<DocumentStore> {
  switch (config.backend) {
    case "memory":
      return createMemoryStore(config);
    case "redis":
      return openRedisStore(config);
    case "file":
    case undefined:
      return openFileStore(config);
    default:
      throw new TypeError(`unknown storage backend ${JSON.stringify((config as { backend: unknown }).backend)}; use memory, file or redis`);
  }
}
