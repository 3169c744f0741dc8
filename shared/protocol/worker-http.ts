/**
 * The gateway ↔ worker HTTP contract (besides the Bokeh protocol the gateway proxies through untouched).
 * The gateway always overwrites these headers on proxied requests, so a client cannot set them.
 */

/** Where plothost is mounted in the site (e.g. `/viz`), "" at the root; pages build their static URLs from it. */
export const MOUNT_HEADER = "x-plothost-mount";

/** The worker's health endpoint, on its socket only (the gateway proxies `/<app>/...` and nothing else). */
export const HEALTH_PATH = "/__plothost/health";

/** Worker endpoint (socket only, POST `{id, seq}`): the supervisor saved a restorable session's changes up to `seq`. */
export const PERSISTED_PATH = "/__plothost/persisted";

/** Worker endpoint (socket only, POST a saved session `{id, snapshot, changes}`): re-create that session. */
export const RESTORE_PATH = "/__plothost/restore";

/** The body of a `RESTORE_PATH` request: a session's last snapshot and the change batches after it, in order. */
export interface RestoreRequest {
  readonly id: string;
  readonly snapshot: { readonly seq: number; readonly doc: Record<string, unknown> };
  readonly changes: ReadonlyArray<{ readonly seq: number; readonly events: unknown[] }>;
}

/** The body of a `PERSISTED_PATH` request. */
export interface PersistedRequest {
  readonly id: string;
  readonly seq: number;
}

/** A mount path as the gateway may send it: "" or `/segment[/segment...]`. */
export const MOUNT_PATTERN = /^(\/[A-Za-z0-9._~-]+)*$/;
