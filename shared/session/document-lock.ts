/**
 * A per-document async mutex. Every piece of code that touches a session's document (app callbacks, incoming
 * patches, serialising a PULL-DOC reply) runs through `run`, one at a time, in arrival order — the Bokeh server's
 * document lock. A failing task does not poison the queue.
 */
export class DocumentLock {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;

  run<T>(task: () => T | Promise<T>): Promise<T> {
    this.pending++;
    const result = this.tail.then(task);
    this.tail = result.then(
      () => { this.pending--; },
      () => { this.pending--; },
    );
    return result;
  }

  /** Tasks queued or running. */
  get size(): number {
    return this.pending;
  }
}
