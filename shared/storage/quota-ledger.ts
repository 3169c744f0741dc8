import { StorageLimitError } from "./errors.ts";

/** A growth reserved against an owner's quota while the write that needs it is persisted. */
export interface Reservation {
  commit(): void;
  abort(): void;
}

/**
 * Per-owner byte counts for the in-process backends, with reservations. Why reservations: a write checks the quota,
 * then awaits disk I/O; two writes to different documents of one owner would otherwise both pass the check and
 * together overshoot it. Growth is reserved at check time and released or committed when the write settles.
 * Writes that do not grow are always allowed, even over the quota (so a user over a lowered limit can shrink).
 */
export class QuotaLedger {
  private readonly committed = new Map<string, number>();
  private readonly pending = new Map<string, number>();

  constructor(private readonly maxUserBytes: number) {}

  /** Bytes of the owner's stored documents. */
  usage(owner: string): number {
    return this.committed.get(owner) ?? 0;
  }

  /** Reserves `delta` bytes (may be negative) for `owner`; throws the 413 when growth would pass the limit. */
  reserve(owner: string, delta: number): Reservation {
    const growth = Math.max(0, delta);
    if (growth > 0) {
      const total = this.usage(owner) + (this.pending.get(owner) ?? 0) + growth;
      if (total > this.maxUserBytes) throw new StorageLimitError("user", this.maxUserBytes, total);
      this.pending.set(owner, (this.pending.get(owner) ?? 0) + growth);
    }
    let settled = false;
    const release = () => {
      if (growth > 0) this.pending.set(owner, (this.pending.get(owner) ?? 0) - growth);
    };
    return {
      commit: () => {
        if (settled) return;
        settled = true;
        release();
        this.committed.set(owner, this.usage(owner) + delta);
      },
      abort: () => {
        if (settled) return;
        settled = true;
        release();
      },
    };
  }

  /** Counts an already stored document (loading an existing data directory). */
  add(owner: string, bytes: number): void {
    this.committed.set(owner, this.usage(owner) + bytes);
  }
}
