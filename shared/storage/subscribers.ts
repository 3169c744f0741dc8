import type { ChangeListener, DocumentChange, StoreReport } from "./index.ts";

/**
 * The listeners of one store instance, by document id. Delivery is synchronous and isolated: a listener that
 * throws is reported and the others still run.
 */
export class Subscribers {
  private readonly byId = new Map<string, Set<ChangeListener>>();

  constructor(private readonly report: (report: StoreReport) => void) {}

  /** Adds a listener; returns whether it is the first for `id` and the function that removes it. */
  add(id: string, listener: ChangeListener): { first: boolean; remove: () => boolean } {
    let set = this.byId.get(id);
    const first = set === undefined;
    if (set === undefined) this.byId.set(id, (set = new Set()));
    // Wrap so the same function subscribed twice is two subscriptions, each removed once.
    const entry: ChangeListener = (change) => listener(change);
    set.add(entry);
    let removed = false;
    return {
      first,
      /** Returns true when that was the last listener for `id`. */
      remove: () => {
        if (removed) return false;
        removed = true;
        const current = this.byId.get(id);
        if (current === undefined || !current.delete(entry)) return false;
        if (current.size > 0) return false;
        this.byId.delete(id);
        return true;
      },
    };
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  /** Calls every listener of `change.id`; after `deleted`, forgets them (the document is gone). */
  emit(change: DocumentChange): void {
    const set = this.byId.get(change.id);
    if (set === undefined) return;
    if (change.kind === "deleted") this.byId.delete(change.id);
    for (const listener of [...set]) {
      try {
        listener(change);
      } catch (error) {
        this.report({ kind: "listener_failed", id: change.id, error });
      }
    }
  }

  clear(): void {
    this.byId.clear();
  }
}
