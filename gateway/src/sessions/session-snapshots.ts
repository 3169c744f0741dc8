import type { DocJson } from "../../../shared/index.ts";

/** A batch of a session's document changes, as PATCH-DOC `events` (json, no binary buffers), numbered by `seq`. */
export interface SavedChanges {
  readonly seq: number;
  readonly events: unknown[];
}

/** What a restore needs: the last snapshot and every change after it, in order. */
export interface SavedSession {
  readonly snapshot: { readonly seq: number; readonly doc: DocJson };
  readonly changes: readonly SavedChanges[];
}

/**
 * Where a restorable app's sessions are saved (issue 9, "session survival"): a full snapshot of the session's
 * document plus the log of changes since, so a session lost with its worker (crash, kill, another host) can be
 * rebuilt on a fresh worker. Every call names the app (`appKey`, its URL prefix like `/alice/sales`): one app can
 * never read or overwrite another app's sessions. A snapshot replaces the log; saved state expires when it has not
 * been written for the store's TTL, so sessions nobody restores do not pile up.
 * Deliberately absent: listing sessions, history (only the latest snapshot is kept), binary buffers.
 */
export interface SessionSnapshots {
  /** Replaces the session's saved state with this snapshot (and an empty change log). */
  saveSnapshot(appKey: string, sessionId: string, seq: number, doc: DocJson): Promise<void>;
  /** Appends a batch to the session's change log; batches at or below the snapshot's `seq` are ignored on load. */
  appendChanges(appKey: string, sessionId: string, seq: number, events: unknown[]): Promise<void>;
  /** The saved state, or null when there is none (never saved, deleted or expired). */
  load(appKey: string, sessionId: string): Promise<SavedSession | null>;
  delete(appKey: string, sessionId: string): Promise<void>;
  close(): Promise<void>;
}

/** How long saved state lives without a write, by default: a day. */
export const DEFAULT_SNAPSHOT_TTL_S = 24 * 60 * 60;

/** The changes of a log that come after the snapshot, in `seq` order (a late or repeated batch is dropped). */
export function changesAfter(snapshotSeq: number, log: readonly SavedChanges[]): SavedChanges[] {
  let last = snapshotSeq;
  const out: SavedChanges[] = [];
  for (const c of [...log].sort((a, b) => a.seq - b.seq)) {
    if (c.seq <= last) continue;
    out.push(c);
    last = c.seq;
  }
  return out;
}
