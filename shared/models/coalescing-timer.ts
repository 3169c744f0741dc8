import { DocumentError, type Document, type SessionCallbackHandle } from "../document/index.ts";

/**
 * Coalesces bursts of requests (a pan sends a range change every frame) into runs of `fn`: a request starts a
 * timeout of `ms` on the document (so `fn` runs under the session's lock, and stops with the session); requests
 * while it is pending join it, and `fn` reads the latest state when it fires. So while requests keep coming, `fn`
 * runs at most once per `ms`, and it always runs once after the last request.
 */
export class CoalescingTimer {
  private pending: SessionCallbackHandle | null = null;

  constructor(
    private readonly doc: Document,
    private readonly ms: number,
    private readonly fn: () => unknown,
  ) {}

  /** True while a run is scheduled. */
  get scheduled(): boolean {
    return this.pending !== null;
  }

  request(): void {
    if (this.pending !== null) return;
    try {
      this.pending = this.doc.add_timeout_callback(() => {
        this.pending = null;
        return this.fn();
      }, this.ms);
    } catch (err) {
      // A destroyed session has nobody left to see the update.
      if (!(err instanceof DocumentError && err.code === "destroyed")) throw err;
    }
  }

  cancel(): void {
    if (this.pending !== null) this.doc.remove_timeout_callback(this.pending);
    this.pending = null;
  }
}
