import { Document } from "../../shared/index.ts";
import type { Logger } from "../../shared/logging/create-logger.ts";
import { applyTheme, type Theme } from "../../shared/models/theme.ts";
import type { AppContext, AppHandler, AppRequest } from "./app-loader.ts";
import type { Lifecycle, SessionContext } from "./lifecycle.ts";
import { ServerSession } from "../../shared/session/server-session.ts";
import type { RestoreRequest } from "../../shared/protocol/worker-http.ts";
import type { RestoreHandler } from "./restorable-app.ts";
import type { SessionJournal } from "./session-journal.ts";
import { RestorableSession } from "./restorable-session.ts";

/** Raised when the app's code throws while building a session; the page shows it (stack only in dev mode). */
export class SessionCreationError extends Error {
  constructor(readonly sessionId: string, cause: unknown) {
    super(`the app raised an error while building session ${sessionId}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
    this.name = "SessionCreationError";
  }
}

export interface SessionRegistryOptions {
  app: AppHandler;
  logger: Logger;
  unusedSessionLifetimeMs: number;
  checkUnusedSessionsMs: number;
  binaryThresholdBytes: number;
  /** A directory app's lifecycle hooks (`onSessionCreated`, `onSessionDestroyed`). */
  lifecycle?: Lifecycle;
  /** A directory app's theme, applied to each new document before the app fills it. */
  theme?: Theme | null;
  /** Told after each session is made or destroyed, with how many are left (the supervisor's load and idle signal). */
  onSessionsChanged?: (op: "created" | "destroyed", sessionId: string, count: number) => void;
  /**
   * A restorable app whose supervisor saves sessions: each session is journaled (restorable-session.ts) and
   * `restore` can re-create one from saved state. Absent: sessions live and die with this worker.
   */
  restorable?: { journal: SessionJournal; restore: RestoreHandler | null } | null;
}

/** What a restored session's app code sees as its request: the original one is not saved. */
const RESTORED_REQUEST: AppRequest = Object.freeze({ arguments: {}, headers: {}, user: null });

/**
 * All live sessions of this worker. A session is made by running the app on a fresh document; one that has had
 * no connection for `unusedSessionLifetimeMs` is destroyed by a periodic check (bokeh serve's semantics).
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, ServerSession>();
  private readonly contexts = new WeakMap<ServerSession, SessionContext>();
  private readonly creating = new Map<string, Promise<ServerSession>>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly opts: SessionRegistryOptions) {
    this.timer = setInterval(() => void this.destroyUnused(), opts.checkUnusedSessionsMs);
    this.timer.unref();
  }

  get size(): number {
    return this.sessions.size;
  }

  get(id: string): ServerSession | undefined {
    return this.sessions.get(id);
  }

  /** The session with this id, made by running the app if it does not exist yet (concurrent callers share it). */
  getOrCreate(id: string, request: AppRequest): Promise<ServerSession> {
    const existing = this.sessions.get(id);
    if (existing && !existing.destroyed) return Promise.resolve(existing);
    let pending = this.creating.get(id);
    if (!pending) {
      pending = this.create(id, request).finally(() => this.creating.delete(id));
      this.creating.set(id, pending);
    }
    return pending;
  }

  /**
   * Re-creates a restorable app's session from saved state (a snapshot and the changes after it), then runs the
   * app's `restore(doc, ctx)` (never its main function) and the `onSessionCreated` hook. A session this worker
   * already holds or is making is returned as it is; concurrent calls share one restore.
   */
  restore(saved: RestoreRequest): Promise<ServerSession> {
    const id = saved.id;
    const existing = this.sessions.get(id);
    if (existing && !existing.destroyed) return Promise.resolve(existing);
    let pending = this.creating.get(id);
    if (!pending) {
      pending = this.rebuild(saved).finally(() => this.creating.delete(id));
      this.creating.set(id, pending);
    }
    return pending;
  }

  /** Destroys sessions unused for longer than the configured lifetime; returns how many. */
  async destroyUnused(now = Date.now()): Promise<number> {
    const stale = [...this.sessions.values()].filter((s) => s.idleFor(now) >= this.opts.unusedSessionLifetimeMs);
    for (const s of stale) {
      this.sessions.delete(s.id);
      await this.destroySession(s);
      this.opts.logger.debug({ sessionId: s.id }, "unused session destroyed");
    }
    return stale.length;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    const all = [...this.sessions.values()];
    this.sessions.clear();
    await Promise.all(all.map((s) => this.destroySession(s)));
  }

  /** Runs the document's session-destroyed callbacks, then the lifecycle hook; hook errors are logged. */
  private async destroySession(s: ServerSession): Promise<void> {
    await s.destroy();
    const ctx = this.contexts.get(s);
    const hook = this.opts.lifecycle?.onSessionDestroyed;
    if (ctx && hook) {
      try {
        await hook(ctx);
      } catch (err) {
        this.opts.logger.error({ err, sessionId: s.id }, "onSessionDestroyed raised an error");
      }
    }
    this.opts.onSessionsChanged?.("destroyed", s.id, this.sessions.size);
  }

  private async create(id: string, request: AppRequest): Promise<ServerSession> {
    const log = this.opts.logger.child({ sessionId: id });
    const session = this.newSession(id, new Document());
    const ctx: AppContext = { sessionId: id, request, user: request.user ?? null };
    const sessionCtx: SessionContext = { ...ctx, document: session.document };
    try {
      await session.withDocument(async (doc) => {
        if (this.opts.theme) applyTheme(doc, this.opts.theme);
        await this.opts.lifecycle?.onSessionCreated?.(sessionCtx);
        await this.opts.app(doc, ctx);
      });
    } catch (err) {
      await session.destroy();
      log.error({ err }, "app raised an error while building a session");
      throw new SessionCreationError(id, err);
    }
    return this.register(session, sessionCtx, 0);
  }

  private async rebuild(saved: RestoreRequest): Promise<ServerSession> {
    const { id } = saved;
    const restorable = this.opts.restorable;
    if (!restorable) throw new SessionCreationError(id, new Error("this app does not export restorable = true"));
    const log = this.opts.logger.child({ sessionId: id });
    const ctx: AppContext = { sessionId: id, request: RESTORED_REQUEST, user: null };
    let session: ServerSession;
    try {
      const doc = Document.from_json(saved.snapshot.doc as unknown as Parameters<typeof Document.from_json>[0]);
      for (const batch of saved.changes) await doc.apply_json_patch({ events: batch.events });
      session = this.newSession(id, doc);
    } catch (err) {
      log.error({ err }, "saved session state could not be read; not restored");
      throw new SessionCreationError(id, err);
    }
    const sessionCtx: SessionContext = { ...ctx, document: session.document };
    try {
      await session.withDocument(async (doc) => {
        if (this.opts.theme) applyTheme(doc, this.opts.theme);
        await this.opts.lifecycle?.onSessionCreated?.(sessionCtx);
        await restorable.restore?.(doc, ctx);
      });
    } catch (err) {
      await session.destroy();
      log.error({ err }, "app raised an error while restoring a session");
      throw new SessionCreationError(id, err);
    }
    log.info("session restored");
    return this.register(session, sessionCtx, saved.changes.at(-1)?.seq ?? saved.snapshot.seq);
  }

  /** A built session goes live: journaled (restorable apps), listed, announced. */
  private register(session: ServerSession, sessionCtx: SessionContext, afterSeq: number): ServerSession {
    if (session instanceof RestorableSession) session.startJournal(afterSeq);
    this.sessions.set(session.id, session);
    this.contexts.set(session, sessionCtx);
    this.opts.logger.debug({ sessionId: session.id }, "session created");
    this.opts.onSessionsChanged?.("created", session.id, this.sessions.size);
    return session;
  }

  private newSession(id: string, doc: Document): ServerSession {
    const log = this.opts.logger.child({ sessionId: id });
    const opts = {
      binaryThresholdBytes: this.opts.binaryThresholdBytes,
      onCallbackError: (err: unknown, where: string) => log.error({ err, where }, "error in app callback"),
    };
    const journal = this.opts.restorable?.journal;
    return journal ? new RestorableSession(id, doc, opts, journal) : new ServerSession(id, doc, opts);
  }
}
