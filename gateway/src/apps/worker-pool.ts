import { EventEmitter } from "node:events";
import { PlothostError } from "../../../shared/errors/catalogue.ts";
import { WorkerSupervisor, type SupervisorDeps, type WorkerAppSpec } from "../worker-supervisor.ts";
import { CrashTracker } from "./crash-tracker.ts";
import type { LogRing } from "./log-ring.ts";
import type { AppWorker } from "./app-worker.ts";

/** Makes one worker of a pool; the default runs it here (WorkerSupervisor), `--runners` on a runner. */
export type MakeWorker = (spec: WorkerAppSpec, deps: SupervisorDeps) => AppWorker;

/** How many workers one app may have. */
export interface PoolSize {
  /** Kept running, never stopped for idleness (0: the app starts on its first request). */
  readonly minProcs: number;
  /** At most this many; a new session starts another worker only when every running one has sessions. */
  readonly maxProcs: number;
}

/** The pool's state as pages and the API show it. */
export type PoolState = "idle" | "starting" | "running" | "crashed" | "closed";

/** One worker as the API shows it. */
export interface WorkerInfo {
  /** The local process id; null on a runner (or not running). */
  readonly pid: number | null;
  /** The runner it runs on (`--runners`), else null. */
  readonly runner: string | null;
  readonly state: string;
  readonly sessions: number;
}

/**
 * The workers of one version of one deployed app: between `minProcs` and `maxProcs` supervised workers sharing
 * one crash count and one log. `route(sessionId)` keeps a known session on the worker that holds it (sticky, for
 * its page, `autoload.js` and WebSocket alike) and sends a new session to the least-loaded running worker,
 * starting another (up to `maxProcs`) when all have sessions, or the first one on a cold start.
 * Events: `state` (PoolState), `sessions` (the pool's session count, whenever a worker's changes).
 */
export class WorkerPool extends EventEmitter {
  private readonly workers: AppWorker[] = [];
  readonly crashes: CrashTracker;
  private closed = false;
  private exitsNotAskedFor = 0;

  constructor(
    readonly spec: WorkerAppSpec,
    private readonly deps: Omit<SupervisorDeps, "crashes" | "idleTimeoutMs" | "onLogLine"> & { log: LogRing; makeWorker?: MakeWorker },
    readonly size: PoolSize,
    /** The app version these workers run (null for apps that have no versions). */
    readonly version: number | null = null,
  ) {
    super();
    const c = deps.config;
    this.crashes = new CrashTracker({ limit: c.workerCrashLimit, windowMs: c.workerCrashWindowMs, backoffMs: c.workerBackoffMs, backoffMaxMs: c.workerBackoffMaxMs });
  }

  get state(): PoolState {
    if (this.closed) return "closed";
    if (this.crashes.crashed) return "crashed";
    if (this.workers.some((w) => w.state === "running")) return "running";
    if (this.workers.some((w) => w.state === "starting" || w.state === "backoff")) return "starting";
    return "idle";
  }

  get workerInfo(): WorkerInfo[] {
    return this.workers.map((w) => ({ pid: w.pid ?? null, runner: w.runnerId ?? null, state: w.state, sessions: w.sessions.size }));
  }

  /** Worker exits nobody asked for (crashes, hung or over-memory workers killed) since the pool was made. */
  get crashCount(): number {
    return this.exitsNotAskedFor;
  }

  /**
   * Stops every worker gracefully (an admin's "stop"): their sessions end. The pool is then idle; the next request
   * (or `warmUp`) starts a worker again.
   */
  async stop(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.stop()));
  }

  /**
   * Restarts the pool's workers (an admin's "restart"): each running or starting one stops gracefully (its sessions
   * end) and a new one starts right after; an idle pool starts its first worker. Resolves once the old workers
   * have stopped, not when the new ones are ready.
   */
  async restart(): Promise<void> {
    if (this.closed) throw new PlothostError("app_unavailable", "this version of the app was replaced or removed");
    if (this.crashes.crashed) throw new PlothostError("app_crashed", this.spec.prefix);
    const live = this.workers.filter((w) => w.state === "running" || w.state === "starting");
    if (live.length === 0) {
      void this.warmUp().catch(() => {});
      return;
    }
    await Promise.all(live.map((w) => {
      const stopped = w.stop();
      // A `ready()` waiting while the worker stops makes its supervisor start a new one right after the exit.
      void w.ready().catch(() => {});
      return stopped;
    }));
  }

  /** Sessions open on the pool's workers. */
  get sessionCount(): number {
    return this.workers.reduce((n, w) => n + w.sessions.size, 0);
  }

  /** Whether one of the pool's live workers holds this session. */
  holds(sessionId: string): boolean {
    return !this.closed && this.workers.some((w) => w.state !== "crashed" && w.state !== "closed" && w.sessions.has(sessionId));
  }

  /** The socket of the worker for this session (see the class comment), starting workers as needed. */
  route(sessionId: string | null): Promise<string> {
    const w = this.pick(sessionId);
    return w instanceof Promise ? w : this.readyFor(w, sessionId);
  }

  /** The worker for a session (see `route`), or why there is none. */
  private pick(sessionId: string | null): AppWorker | Promise<never> {
    if (this.closed) return Promise.reject(new PlothostError("app_unavailable", "this version of the app was replaced or removed"));
    if (this.crashes.crashed) return Promise.reject(new PlothostError("app_crashed", this.spec.prefix));
    const live = this.workers.filter((w) => w.state !== "crashed" && w.state !== "closed");
    if (sessionId) {
      const holder = live.find((w) => w.sessions.has(sessionId));
      if (holder) return holder;
    }
    const running = live.filter((w) => w.state === "running").sort((a, b) => a.sessions.size - b.sessions.size);
    if (running.length > 0 && running[0].sessions.size === 0) return running[0];
    const warming = live.find((w) => w.state === "starting" || w.state === "backoff" || w.state === "stopping");
    if (running.length === 0 && warming) return warming;
    const stopped = live.find((w) => w.state === "stopped");
    if (stopped) return stopped;
    if (this.workers.length < this.size.maxProcs) return this.add();
    if (running.length > 0) return running[0];
    return (warming ?? this.add());
  }

  /** The worker's target once ready, with the session restored there first when it was saved and lost. */
  private async readyFor(w: AppWorker, sessionId: string | null): Promise<string> {
    const target = await w.ready();
    if (sessionId && w.prepareSession) await w.prepareSession(sessionId);
    return target;
  }

  /**
   * Starts `minProcs` workers (at least one) and resolves once the first is ready: the deploy's smoke start.
   * Rejects with the worker's own last words when a worker exits before it is ready (e.g. the app's module cannot
   * be loaded), instead of waiting through restarts.
   */
  async warmUp(): Promise<void> {
    while (this.workers.length < Math.max(1, this.size.minProcs)) this.add();
    const first = this.workers[0];
    const lines: string[] = [];
    const onLine = (l: string) => void lines.push(l);
    this.deps.log.on("line", onLine);
    try {
      await new Promise<void>((resolve, reject) => {
        // Killed (the start timeout, or out of memory) may pass on a retry; exiting by itself will not.
        const onExit = ({ signal }: { signal: NodeJS.Signals | null }) => reject(signal === "SIGKILL"
          ? new Error(`the worker was killed before it was ready (start timeout or memory limit): ${lastWords(lines)}`)
          : new WorkerStartError(lastWords(lines)));
        first.once("exit", onExit);
        first.ready().then(() => resolve(), reject).finally(() => first.off("exit", onExit));
      });
    } finally {
      this.deps.log.off("line", onLine);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.close()));
    this.emit("state", this.state);
  }

  /** The gateway stops, the app does not: workers that can outlive it (on runners) are let go, the others closed. */
  async release(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => (w.release ? w.release() : w.close())));
    this.emit("state", this.state);
  }

  private add(): AppWorker {
    const index = this.workers.length;
    const make: MakeWorker = this.deps.makeWorker ?? ((spec, deps) => new WorkerSupervisor(spec, deps));
    const w = make(this.spec, {
      ...this.deps, crashes: this.crashes, onLogLine: (l) => this.deps.log.push(l),
      // The first minProcs workers stay up; the others stop when idle.
      idleTimeoutMs: index < this.size.minProcs ? 0 : undefined,
    });
    w.on("sessions", () => this.emit("sessions", this.sessionCount));
    // Emitted before the supervisor changes state: `stopping` and `closed` mean the exit was asked for.
    w.on("exit", () => {
      if (w.state !== "stopping" && w.state !== "closed") this.exitsNotAskedFor++;
    });
    w.on("state", (s: string) => {
      if (s === "crashed") for (const other of this.workers) if (other !== w) void other.close();
      this.emit("state", this.state);
    });
    this.workers.push(w);
    return w;
  }
}

/** A worker that exited before it was ready; the message is what it logged last (the app's load error). */
export class WorkerStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WorkerStartError";
  }
}

/** The most telling of a failed worker's lines: its fatal message (the load error), else its last lines. */
function lastWords(lines: readonly string[]): string {
  for (const l of [...lines].reverse()) {
    try {
      const j = JSON.parse(l) as { level?: number; msg?: string };
      if ((j.level ?? 0) >= 60 && j.msg) return j.msg;
    } catch {
      // not JSON: stderr
    }
  }
  return lines.slice(-5).join("\n") || "the worker exited before it was ready";
}
