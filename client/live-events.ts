import type { DocumentChangedEvent } from "../shared/index.ts";
import type { SocketClosed } from "./protocol-socket.ts";

/** What a live published document announces, and each listener's argument. */
export interface LiveEventMap {
  /** A change made by someone else (a viewer's widget, another script, the HTTP API), already applied locally. */
  change: DocumentChangedEvent;
  /** The connection dropped; the document is reconnecting (local changes are kept and sent afterwards). */
  disconnect: SocketClosed;
  /** The connection is back and the document re-synced (changes missed meanwhile were applied, as `change`). */
  reconnect: void;
  /** The document stopped for good (access revoked, deleted, server gone too long), or the server refused a change. */
  error: Error;
}

type Listener<K extends keyof LiveEventMap> = (arg: LiveEventMap[K]) => void;

/**
 * A small typed event registry. Unlike Node's EventEmitter an `error` without listeners is not thrown (the
 * failure also rejects the promises of the changes it concerns), and a throwing listener does not stop the others (its error is rethrown
 * on its own, as an uncaught exception).
 */
export class LiveEvents {
  private readonly listeners = new Map<keyof LiveEventMap, Set<(arg: never) => void>>();

  on<K extends keyof LiveEventMap>(event: K, listener: Listener<K>): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener as (arg: never) => void);
    this.listeners.set(event, set);
    return () => void set.delete(listener as (arg: never) => void);
  }

  emit<K extends keyof LiveEventMap>(event: K, arg: LiveEventMap[K]): void {
    for (const l of [...(this.listeners.get(event) ?? [])]) {
      try {
        (l as Listener<K>)(arg);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }
}
