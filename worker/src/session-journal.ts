import { serializeEvents, type Document, type DocumentChangedEvent } from "../../shared/index.ts";
import { PlothostError } from "../../shared/errors/catalogue.ts";
import type { WorkerEvent } from "../../shared/protocol/worker-events.ts";

export interface SessionJournalOptions {
  /** Writes one event (the worker: a JSON line on stdout, which the supervisor saves). */
  write(event: WorkerEvent): void;
  /** A fresh snapshot replaces the change log after this many changes (default 200). */
  snapshotEvery?: number;
  /** How long `persisted()` waits for the supervisor's confirmation before it fails (default 5 s). */
  confirmTimeoutMs?: number;
}

interface Waiter {
  seq: number;
  resolve(): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

interface Journal {
  readonly id: string;
  doc: Document;
  /** The last seq written, and the last the supervisor confirmed saved. */
  seq: number;
  confirmed: number;
  /** Serialized events not written yet (written together on the next tick, or by `flush`). */
  pending: unknown[];
  sinceSnapshot: number;
  scheduled: boolean;
  waiters: Waiter[];
}

/**
 * The change journal of a restorable app's sessions: a snapshot of each session's document when it is tracked,
 * then its changes (whoever made them: clients, callbacks) as numbered batches, and every `snapshotEvery` changes
 * a fresh snapshot instead. The supervisor saves them and confirms each `seq` back (`confirm`); `persisted(seq)`
 * lets a client's OK wait for that. Events are serialized when they happen (as the session's broadcast does), with
 * arrays inline; `MessageSent` events are not state and are left out.
 */
export class SessionJournal {
  private readonly journals = new Map<string, Journal>();
  private readonly snapshotEvery: number;
  private readonly confirmTimeoutMs: number;

  constructor(private readonly opts: SessionJournalOptions) {
    this.snapshotEvery = opts.snapshotEvery ?? 200;
    this.confirmTimeoutMs = opts.confirmTimeoutMs ?? 5000;
  }

  /**
   * Starts (or, for a replaced document, restarts) journaling a session's document: a snapshot now, numbered after
   * `afterSeq` (a restored session continues its saved numbering), then its changes. Returns the detach function.
   */
  track(id: string, doc: Document, afterSeq = 0): () => void {
    let j = this.journals.get(id);
    if (!j) {
      j = { id, doc, seq: afterSeq, confirmed: afterSeq, pending: [], sinceSnapshot: 0, scheduled: false, waiters: [] };
      this.journals.set(id, j);
    }
    const journal = j;
    journal.doc = doc;
    this.snapshot(journal);
    return doc.on_change((ev) => this.record(journal, ev));
  }

  /** Writes the session's pending changes now; returns the seq that covers every change so far. */
  flush(id: string): number {
    const j = this.journals.get(id);
    if (!j) return 0;
    if (j.pending.length > 0) {
      if (j.sinceSnapshot >= this.snapshotEvery) this.snapshot(j);
      else {
        j.seq += 1;
        this.opts.write({ event: "changes", id, seq: j.seq, events: j.pending });
        j.pending = [];
      }
    }
    return j.seq;
  }

  /** Resolves once the supervisor confirmed `seq` saved; rejects with `session_not_saved` after the timeout. */
  persisted(id: string, seq: number): Promise<void> {
    const j = this.journals.get(id);
    if (!j || j.confirmed >= seq) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        seq, resolve, reject,
        timer: setTimeout(() => {
          j.waiters = j.waiters.filter((w) => w !== waiter);
          reject(new PlothostError("session_not_saved", `no confirmation within ${this.confirmTimeoutMs} ms`));
        }, this.confirmTimeoutMs),
      };
      j.waiters.push(waiter);
    });
  }

  /** The supervisor saved the session up to `seq`. */
  confirm(id: string, seq: number): void {
    const j = this.journals.get(id);
    if (!j || seq <= j.confirmed) return;
    j.confirmed = seq;
    const done = j.waiters.filter((w) => w.seq <= seq);
    j.waiters = j.waiters.filter((w) => w.seq > seq);
    for (const w of done) {
      clearTimeout(w.timer);
      w.resolve();
    }
  }

  /** Stops journaling a session (destroyed); whoever still waits is told its change was not saved. */
  forget(id: string): void {
    const j = this.journals.get(id);
    if (!j) return;
    this.journals.delete(id);
    for (const w of j.waiters) {
      clearTimeout(w.timer);
      w.reject(new PlothostError("session_not_saved", "the session ended"));
    }
  }

  private snapshot(j: Journal): void {
    j.seq += 1;
    j.pending = [];
    j.sinceSnapshot = 0;
    this.opts.write({ event: "snapshot", id: j.id, seq: j.seq, doc: j.doc.to_json() as unknown as Record<string, unknown> });
  }

  private record(j: Journal, ev: DocumentChangedEvent): void {
    if (ev.kind === "MessageSent" || this.journals.get(j.id) !== j) return;
    j.pending.push(...serializeEvents([ev], j.doc).json.events);
    j.sinceSnapshot += 1;
    if (j.scheduled) return;
    j.scheduled = true;
    setImmediate(() => {
      j.scheduled = false;
      if (this.journals.get(j.id) === j) this.flush(j.id);
    });
  }
}
