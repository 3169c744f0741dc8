import type { Logger } from "../../../shared/logging/create-logger.ts";
import { PERSISTED_PATH, RESTORE_PATH } from "../../../shared/protocol/worker-http.ts";
import type { DocJson } from "../../../shared/index.ts";
import type { WorkerEvent } from "../../../shared/protocol/worker-events.ts";
import type { SessionSnapshots } from "./session-snapshots.ts";
import { requestWorker } from "../worker-request.ts";

/** The journal events a worker writes for a restorable session. */
export type JournalEvent = Extract<WorkerEvent, { event: "snapshot" | "changes" }>;

/**
 * One app's side of session survival, used by its supervisor: saves each journal event of the app's worker in the
 * store (per session in order), then confirms the `seq` to the worker so it can acknowledge the client; deletes a
 * session's state when the worker ends it; and restores a saved session onto a worker. Every call is scoped to
 * this app's key. Store failures are logged, never thrown: the worker then answers its client with an ERROR.
 */
export class SessionSaver {
  /** Per session, the chain of writes in flight: events are saved in the order the worker wrote them. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly store: SessionSnapshots,
    /** The app's URL prefix, e.g. `/alice/sales`. */
    private readonly appKey: string,
    private readonly log: Logger,
    private readonly timeoutMs = 5000,
  ) {}

  /** Saves a journal event, then tells the worker at `socketPath` it is saved. */
  save(e: JournalEvent, socketPath: string): void {
    this.enqueue(e.id, async () => {
      if (e.event === "snapshot") await this.store.saveSnapshot(this.appKey, e.id, e.seq, e.doc as unknown as DocJson);
      else await this.store.appendChanges(this.appKey, e.id, e.seq, e.events);
      await requestWorker(socketPath, PERSISTED_PATH, { body: { id: e.id, seq: e.seq }, timeoutMs: this.timeoutMs });
    });
  }

  /** The worker ended the session: its saved state goes. */
  delete(sessionId: string): void {
    this.enqueue(sessionId, () => this.store.delete(this.appKey, sessionId));
  }

  /**
   * Re-creates a saved session on the worker at `socketPath`; false when nothing is saved for it. Throws when the
   * worker refuses it (the app's `restore` raised an error, the state is unreadable).
   */
  async restore(sessionId: string, socketPath: string): Promise<boolean> {
    await this.chains.get(sessionId);
    const saved = await this.store.load(this.appKey, sessionId);
    if (!saved) return false;
    const reply = await requestWorker(socketPath, RESTORE_PATH, { body: { id: sessionId, ...saved }, timeoutMs: Math.max(this.timeoutMs, 30_000) });
    if (reply.status !== 200) {
      const message = (reply.body as { error?: { message?: string } } | null)?.error?.message ?? `HTTP ${reply.status}`;
      throw new Error(`the worker could not restore session ${sessionId}: ${message}`);
    }
    return true;
  }

  private enqueue(sessionId: string, write: () => Promise<void>): void {
    const next = (this.chains.get(sessionId) ?? Promise.resolve()).then(write).catch((err: Error) => {
      this.log.error({ err, sessionId }, "could not save a restorable session's state");
    });
    this.chains.set(sessionId, next);
    void next.then(() => {
      if (this.chains.get(sessionId) === next) this.chains.delete(sessionId);
    });
  }
}
