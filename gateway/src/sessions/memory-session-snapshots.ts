import type { DocJson } from "../../../shared/index.ts";
import { changesAfter, DEFAULT_SNAPSHOT_TTL_S, type SavedChanges, type SavedSession, type SessionSnapshots } from "./session-snapshots.ts";

interface Entry {
  snapshot: { seq: number; doc: DocJson } | null;
  changes: SavedChanges[];
  expiresAt: number;
}

/**
 * Saved sessions in this gateway process's memory: they survive a worker crash, not a gateway restart (use the
 * Redis store for that). Entries expire `ttlS` after their last write; expired ones are swept on writes. At most
 * `maxSessions` are kept (the least recently written go first), so apps cannot grow the gateway without bound.
 */
export class MemorySessionSnapshots implements SessionSnapshots {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly now: () => number;
  private lastSweep = 0;

  private readonly maxSessions: number;

  constructor(opts: { ttlS?: number; now?: () => number; maxSessions?: number } = {}) {
    this.ttlMs = (opts.ttlS ?? DEFAULT_SNAPSHOT_TTL_S) * 1000;
    this.maxSessions = opts.maxSessions ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  async saveSnapshot(appKey: string, sessionId: string, seq: number, doc: DocJson): Promise<void> {
    this.sweep();
    this.put(keyOf(appKey, sessionId), { snapshot: { seq, doc }, changes: [], expiresAt: this.now() + this.ttlMs });
  }

  async appendChanges(appKey: string, sessionId: string, seq: number, events: unknown[]): Promise<void> {
    this.sweep();
    const key = keyOf(appKey, sessionId);
    const entry = this.live(key) ?? { snapshot: null, changes: [], expiresAt: 0 };
    entry.changes.push({ seq, events });
    entry.expiresAt = this.now() + this.ttlMs;
    this.put(key, entry);
  }

  async load(appKey: string, sessionId: string): Promise<SavedSession | null> {
    const entry = this.live(keyOf(appKey, sessionId));
    if (!entry?.snapshot) return null;
    return structuredClone({ snapshot: entry.snapshot, changes: changesAfter(entry.snapshot.seq, entry.changes) });
  }

  async delete(appKey: string, sessionId: string): Promise<void> {
    this.entries.delete(keyOf(appKey, sessionId));
  }

  async close(): Promise<void> {
    this.entries.clear();
  }

  /** Stores an entry as the most recently written one, dropping the least recently written beyond the cap. */
  private put(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxSessions) break;
      this.entries.delete(oldest);
    }
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Drops expired entries, at most once a minute. */
  private sweep(): void {
    const now = this.now();
    if (now - this.lastSweep < 60_000) return;
    this.lastSweep = now;
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
  }
}

/** A NUL cannot appear in a URL prefix, so `appKey` and session id never run together ambiguously. */
const keyOf = (appKey: string, sessionId: string) => `${appKey}\0${sessionId}`;
