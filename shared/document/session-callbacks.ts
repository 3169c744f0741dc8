import { DocumentError } from "./errors.ts";

export type SessionCallbackKind = "periodic" | "timeout" | "next_tick";

/** What `add_*_callback` returns: pass it back to the matching `remove_*_callback`. Opaque otherwise. */
export interface SessionCallbackHandle {
  readonly id: number;
  readonly kind: SessionCallbackKind;
}

type Runner = (kind: SessionCallbackKind, cb: () => unknown) => void;

interface Entry {
  handle: SessionCallbackHandle;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The timers behind a document's session callbacks (Python's add_periodic_callback & co). It only owns the timers;
 * the document decides how a callback runs (invoker, error routing, current document). Timers stay ref'd: a live
 * session keeps the process alive, and `destroy()` is the one reliable way to stop them all.
 */
export class SessionCallbacks {
  private readonly entries = new Map<number, Entry>();
  private readonly destroyedCallbacks: Array<() => unknown> = [];
  private lastId = 0;
  private destroyed = false;

  constructor(private readonly run: Runner) {}

  add(kind: SessionCallbackKind, cb: () => unknown, ms: number): SessionCallbackHandle {
    this.checkAlive();
    if (kind === "periodic" && !(ms > 0)) {
      throw new DocumentError("bad_argument", `a periodic callback needs a period > 0 ms, got ${ms}`);
    }
    const handle: SessionCallbackHandle = Object.freeze({ id: ++this.lastId, kind });
    const fire = (): void => {
      if (kind !== "periodic") this.entries.delete(handle.id);
      this.run(kind, cb);
    };
    const timer = kind === "periodic" ? setInterval(fire, ms) : setTimeout(fire, Math.max(0, ms));
    this.entries.set(handle.id, { handle, timer });
    return handle;
  }

  /** Stops a callback. False when it already ran (timeouts), was removed, or is of another kind. */
  remove(handle: SessionCallbackHandle, kind: SessionCallbackKind): boolean {
    const entry = this.entries.get(handle.id);
    if (entry === undefined || entry.handle.kind !== kind) return false;
    this.entries.delete(handle.id);
    if (kind === "periodic") clearInterval(entry.timer);
    else clearTimeout(entry.timer);
    return true;
  }

  /** Number of timers still scheduled (periodic ones count until removed). */
  get size(): number {
    return this.entries.size;
  }

  onDestroyed(cb: () => unknown): void {
    this.checkAlive();
    this.destroyedCallbacks.push(cb);
  }

  /** Clears every timer; returns the session-destroyed callbacks the first time, nothing afterwards. */
  destroy(): Array<() => unknown> {
    if (this.destroyed) return [];
    this.destroyed = true;
    for (const entry of this.entries.values()) {
      if (entry.handle.kind === "periodic") clearInterval(entry.timer);
      else clearTimeout(entry.timer);
    }
    this.entries.clear();
    return this.destroyedCallbacks.splice(0);
  }

  private checkAlive(): void {
    if (this.destroyed) {
      throw new DocumentError("destroyed", "the session of this document was destroyed; callbacks can no longer be added");
    }
  }
}
