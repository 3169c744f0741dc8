import type { Document } from "../../shared/index.ts";
import { ServerSession } from "../../shared/session/server-session.ts";
import type { SessionJournal } from "./session-journal.ts";

/**
 * A session of a restorable app: its document is journaled (snapshot, then changes; see session-journal.ts), and
 * a client's PATCH-DOC or PUSH-DOC is answered OK only once the supervisor confirmed the change saved, so an
 * acknowledged change survives the worker. The wait happens under the document lock and is bounded by the
 * journal's timeout, after which the client gets an ERROR (`session_not_saved`) rather than a hang.
 */
export class RestorableSession extends ServerSession {
  private untrack: (() => void) | null = null;

  constructor(
    id: string,
    doc: Document,
    opts: ConstructorParameters<typeof ServerSession>[2],
    private readonly journal: SessionJournal,
  ) {
    super(id, doc, opts);
  }

  /** Starts journaling: a snapshot now (numbered after `afterSeq`), then every change. */
  startJournal(afterSeq = 0): void {
    this.untrack?.();
    this.untrack = this.journal.track(this.id, this.document, afterSeq);
  }

  override async applyClientPatch(content: { events: unknown[] }, buffers: Map<string, Uint8Array>, setter: unknown): Promise<void> {
    await super.applyClientPatch(content, buffers, setter);
    await this.journal.persisted(this.id, this.journal.flush(this.id));
  }

  override async replaceFromClient(json: Parameters<ServerSession["replaceFromClient"]>[0], buffers: Map<string, Uint8Array>): Promise<void> {
    await super.replaceFromClient(json, buffers);
    await this.journal.persisted(this.id, this.journal.flush(this.id));
  }

  override replaceDocument(next: Document): void {
    super.replaceDocument(next);
    if (this.untrack) this.startJournal();
  }

  override destroy(): Promise<void> {
    this.untrack?.();
    this.untrack = null;
    this.journal.forget(this.id);
    return super.destroy();
  }
}
