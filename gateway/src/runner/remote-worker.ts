import { EventEmitter } from "node:events";
import { randomBytes } from "node:crypto";
import { PlothostError } from "../../../shared/errors/catalogue.ts";
import type { Logger } from "../../../shared/logging/create-logger.ts";
import type { AppWorker } from "../apps/app-worker.ts";
import type { WorkerState } from "../worker-supervisor.ts";
import type { RunnerDirectory, RunnerListener } from "./runner-directory.ts";
import { runnerTarget, type RunnerEvent, type WorkerTarget } from "./runner-protocol.ts";

/** The deployed version a remote worker runs, and where its archive is on this gateway's disk. */
export interface RemoteApp {
  readonly owner: string;
  readonly name: string;
  readonly version: number;
  readonly format: string;
  readonly entry: string;
  /** The version's `.tar.gz`, published to Redis for the runner (app-files.ts). */
  readonly archive: string;
  /** The Redis key it is published at. */
  readonly filesKey: string;
}

/** How long a stop waits for the runner's word before it counts the worker as stopped anyway. */
const STOP_WAIT_MS = 5000;

/**
 * One worker of a deployed app on a runner, as the gateway's WorkerPool sees it (the AppWorker a WorkerSupervisor
 * is locally). `ready()` places it on the live runner with the fewest workers (a `start-worker` job) and resolves
 * with its `runner://` target once the runner reports it running. The runner's events keep its state and sessions
 * here. When the runner is lost, the worker's sessions are reported lost and the worker places itself again on
 * another runner (restorable sessions come back there when their clients reconnect).
 */
export class RemoteWorker extends EventEmitter implements AppWorker, RunnerListener {
  private _state: WorkerState = "stopped";
  readonly sessions = new Set<string>();
  private placement: { runnerId: string; workerId: string; target: WorkerTarget } | null = null;
  private waiters: Array<{ resolve: (t: string) => void; reject: (e: Error) => void }> = [];
  private startTimer: NodeJS.Timeout | null = null;
  private stopped: (() => void) | null = null;
  private readonly log: Logger;

  constructor(
    readonly app: RemoteApp,
    private readonly deps: {
      directory: RunnerDirectory;
      logger: Logger;
      userHeaderKey: string;
      idleTimeoutMs: number;
      startTimeoutMs: number;
      onLogLine?: (line: string) => void;
    },
  ) {
    super();
    this.log = deps.logger.child({ app: `${app.owner}/${app.name}` });
  }

  get state(): WorkerState {
    return this._state;
  }

  /** A remote worker has no process here. */
  get pid(): number | undefined {
    return undefined;
  }

  /** The runner it is placed on, if any. */
  get runnerId(): string | null {
    return this.placement?.runnerId ?? null;
  }

  ready(): Promise<string> {
    if (this._state === "running" && this.placement) return Promise.resolve(this.placement.target);
    if (this._state === "closed") return Promise.reject(new PlothostError("app_unavailable", "the server is shutting down"));
    if (this._state === "crashed") return Promise.reject(new PlothostError("app_crashed", `/${this.app.owner}/${this.app.name}`));
    const p = new Promise<string>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this._state === "stopped") void this.place();
    return p;
  }

  async stop(): Promise<void> {
    if (this._state !== "running" && this._state !== "starting") return;
    await this.unplace("stopping");
    if ((this._state as WorkerState) === "stopping") this.setState("stopped");
    if (this.waiters.length > 0) void this.place();
  }

  async close(): Promise<void> {
    if (this._state === "closed") return;
    const wasPlaced = this.placement !== null;
    this.setState("closed");
    this.fail(new PlothostError("app_unavailable", "the server is shutting down"));
    if (wasPlaced) await this.unplace("closed");
  }

  /** The gateway stops: the worker keeps serving its sessions on the runner (any gateway reaches them), then idles out. */
  async release(): Promise<void> {
    if (this._state === "closed") return;
    const p = this.placement;
    this.forget();
    this.setState("closed");
    this.fail(new PlothostError("app_unavailable", "the server is shutting down"));
    if (p) await this.deps.directory.releaseWorker(p.runnerId, { workerId: p.workerId }).catch(() => {});
  }

  onRunnerEvent(e: RunnerEvent): void {
    if (!this.placement || e.type === "runner-stopped" || e.worker !== this.placement.workerId) return;
    if (e.type === "line") {
      this.deps.onLogLine?.(e.line);
      this.emit("line", e.line);
    } else if (e.type === "session") {
      if (e.op === "created") this.sessions.add(e.id);
      else this.sessions.delete(e.id);
      this.emit("sessions", this.sessions.size);
    } else if (e.type === "exit") {
      this.emit("exit", { code: e.code, signal: e.signal, reason: e.reason });
    } else if (e.state === "running") {
      if (this.startTimer) clearTimeout(this.startTimer);
      this.startTimer = null;
      if (this._state !== "starting" && this._state !== "backoff") return;
      this.setState("running");
      for (const w of this.waiters.splice(0)) w.resolve(this.placement.target);
    } else if (e.state === "backoff" && this._state === "running") {
      this.setState("backoff");
    } else if (e.state === "stopped" || e.state === "closed" || e.state === "crashed") {
      // The runner stopped it (idle), or gave up on it (crashed): nothing runs there any more.
      this.forget();
      if (this.stopped) return this.stopped();
      if (this._state === "closed") return;
      if (e.state === "crashed") {
        this.setState("crashed");
        return this.fail(new PlothostError("app_crashed", `/${this.app.owner}/${this.app.name}`));
      }
      this.setState("stopped");
      if (this.waiters.length > 0) void this.place();
    }
  }

  onRunnerLost(runnerId: string): void {
    if (this.placement?.runnerId !== runnerId) return;
    const lost = this.sessions.size;
    const msg = `runner ${runnerId} is gone (no heartbeat): ${lost} session${lost === 1 ? "" : "s"} of this worker lost; starting the worker on another runner`;
    this.log.warn({ runner: runnerId, sessionsLost: lost }, msg);
    this.deps.onLogLine?.(`[plothost] ${msg}`);
    this.forget();
    this.emit("exit", { code: null, signal: null, reason: `runner ${runnerId} lost` });
    if (this._state === "closed") return;
    if (this.stopped) return this.stopped();
    this.setState("stopped");
    void this.place();
  }

  /** Picks a runner and asks it to start the worker; the runner's `running` event resolves the waiters. */
  private async place(): Promise<void> {
    this.setState("starting");
    const { directory } = this.deps;
    try {
      const workerId = randomBytes(9).toString("base64url").replace(/[^A-Za-z0-9]/g, "x");
      const runner = await directory.pick(workerId, this.deps.startTimeoutMs);
      if (this._state !== "starting") {
        if (runner) directory.detach(workerId);
        return;
      }
      if (!runner) throw new PlothostError("app_unavailable", "no runner is registered: start one with `plothost runner --redis-url URL --runner-secret S`");
      this.placement = { runnerId: runner.id, workerId, target: runnerTarget(runner.address, runner.id, workerId) };
      directory.attach(workerId, runner.id, this);
      await directory.publishFiles(this.app.filesKey, this.app.archive);
      const { owner, name, version, format, entry, filesKey } = this.app;
      await directory.startWorker(runner.id, {
        workerId, owner, name, version, format, entry, filesKey, userHeaderKey: this.deps.userHeaderKey, idleTimeoutMs: this.deps.idleTimeoutMs,
      });
      this.log.info({ runner: runner.id, worker: workerId }, "worker placed on runner");
      this.startTimer = setTimeout(() => {
        this.startTimer = null;
        if (this._state !== "starting") return;
        this.note(`the worker did not start on runner ${runner.id} within ${this.deps.startTimeoutMs} ms`);
        void this.unplace("stopping").then(() => {
          if (this._state === "stopping") this.setState("stopped");
          this.fail(new PlothostError("app_unavailable", `no worker ready after ${this.deps.startTimeoutMs} ms`));
        });
      }, this.deps.startTimeoutMs);
    } catch (err) {
      if (this._state !== "starting") return;
      this.note(`could not place the worker: ${(err as Error).message}`);
      this.forget();
      this.setState("stopped");
      this.fail(err instanceof PlothostError ? err : new PlothostError("app_unavailable", (err as Error).message));
    }
  }

  /** Asks the runner to stop the worker and waits (bounded) for its word; `state` is the state meanwhile. */
  private async unplace(state: WorkerState): Promise<void> {
    const p = this.placement;
    if (!p) return;
    this.setState(state);
    // A runner that is gone stopped its workers with it: nobody would answer.
    if (!this.deps.directory.isLive(p.runnerId)) return this.forget();
    const done = new Promise<void>((resolve) => {
      const t = setTimeout(() => finish(), STOP_WAIT_MS);
      const finish = () => {
        clearTimeout(t);
        this.stopped = null;
        resolve();
      };
      this.stopped = finish;
    });
    await this.deps.directory.stopWorker(p.runnerId, { workerId: p.workerId }).catch((err: Error) => this.note(`could not ask runner ${p.runnerId} to stop the worker: ${err.message}`));
    await done;
    this.forget();
  }

  private forget(): void {
    if (this.startTimer) clearTimeout(this.startTimer);
    this.startTimer = null;
    if (this.placement) this.deps.directory.detach(this.placement.workerId);
    this.placement = null;
    if (this.sessions.size === 0) return;
    this.sessions.clear();
    this.emit("sessions", 0);
  }

  private fail(err: Error): void {
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  private note(msg: string): void {
    this.log.error(msg);
    this.deps.onLogLine?.(`[plothost] ${msg}`);
    this.emit("line", `[plothost] ${msg}`);
  }

  private setState(s: WorkerState): void {
    this._state = s;
    this.emit("state", s);
  }
}
