import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { EventEmitter } from "node:events";
import type { ChildProcess } from "node:child_process";
import type { AppSpec, GatewayConfig } from "../../shared/config/index.ts";
import { workerConfigToArgs } from "../../shared/config/index.ts";
import { PlothostError } from "../../shared/errors/catalogue.ts";
import type { Logger } from "../../shared/logging/create-logger.ts";
import type { Sandbox } from "./sandbox/index.ts";
import { nodeHardeningArgs } from "./sandbox/node-hardening.ts";
import { createTsxLauncher } from "./worker-launch/tsx-launcher.ts";
import type { WorkerLaunch, WorkerLauncher } from "./worker-launch/index.ts";
import type { TenantIdentities, TenantIdentity } from "./sandbox/tenant-identities.ts";
import { pipeWorkerOutput } from "./worker-log.ts";
import { parseWorkerEvent } from "../../shared/protocol/worker-events.ts";
import { CrashTracker } from "./apps/crash-tracker.ts";
import { probeHealth } from "./apps/health-probe.ts";
import type { SessionSnapshots } from "./sessions/session-snapshots.ts";
import { SessionSaver } from "./sessions/session-saver.ts";

/** `stopping`: stopped on purpose (idle), a later `ready()` starts it again; `crashed`: too many crashes, it stays down. */
export type WorkerState = "stopped" | "starting" | "running" | "backoff" | "stopping" | "crashed" | "closed";

/** Delay before the n-th restart in a row: 1 s, 2 s, 4 s, ... capped at 60 s (configurable, see CrashTracker). */
export { restartDelayMs } from "./apps/crash-tracker.ts";

/**
 * An app as a supervisor runs it. Local apps (`plothost serve PATH`) use the defaults; deployed apps set `prefix`
 * (`/<user>/<app>`) and `cacheDir` (a worker-writable directory of their own, outside every other app's).
 */
export interface WorkerAppSpec extends AppSpec {
  /** URL prefix (default `/<name>`). */
  readonly prefix?: string;
  /** The worker's writable TMPDIR/HOME (default `DATA_DIR/apps/<name>/tmp`). */
  readonly cacheDir?: string;
}

/** Collaborators of a supervisor; the optional ones let an app's worker pool share state between its workers. */
export interface SupervisorDeps {
  sandbox: Sandbox;
  config: GatewayConfig;
  logger: Logger;
  userHeaderKey?: string;
  /** Every output line of the worker, and the supervisor's notes about it (for the app's log, last lines kept). */
  onLogLine?: (line: string) => void;
  /** The app's crash count (shared by all its workers); default: one of its own, from the config. */
  crashes?: CrashTracker;
  /** Stop the worker after this long without sessions (default `config.workerIdleTimeoutMs`; 0 = never). */
  idleTimeoutMs?: number;
  /** Hands the app its own uid/gid and 0700 home (gateway/src/sandbox); absent: the sandbox's default uid. */
  tenants?: TenantIdentities;
  /** Each session the worker makes or ends (or loses when it exits), with its socket: `--num-procs`' registry. */
  onSession?: (op: "created" | "destroyed", sessionId: string, socketPath: string) => void;
  /** How the worker's command line is made (gateway/src/worker-launch); default: from source through tsx. */
  launcher?: WorkerLauncher;
  /**
   * Where restorable apps' sessions are saved (gateway/src/sessions): the worker journals them, the supervisor
   * saves each event under the app's prefix and restores them with `prepareSession`. Absent: sessions die with the worker.
   */
  snapshots?: SessionSnapshots;
}

/**
 * Starts, watches and restarts the sandboxed worker process of one app. The gateway reaches the worker only
 * through the Unix socket returned by `ready()`. A worker that exits while it should run is restarted with
 * exponential backoff; one that does not report ready within the start timeout, or stops answering health
 * checks, is killed as hung. Too many crashes too quickly (CrashTracker) leave it `crashed`. A worker without
 * sessions for the idle timeout is stopped; the next `ready()` starts it again (cold start).
 * Events: `state` (WorkerState), `exit` ({code, signal}), `sessions` (how many the worker holds), `line` (each
 * line the worker writes, as written).
 */
export class WorkerSupervisor extends EventEmitter {
  private child: ChildProcess | null = null;
  private _state: WorkerState = "stopped";
  private readyWaiters: Array<{ resolve: (p: string) => void; reject: (e: Error) => void }> = [];
  private readonly crashes: CrashTracker;
  private restartTimer: NodeJS.Timeout | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private idleOverrideMs: number | null = null;
  private healthTimer: NodeJS.Timeout | null = null;
  /** Ids of the sessions the worker holds, from its `session` events (least-loaded and sticky routing). */
  readonly sessions = new Set<string>();
  private readonly runDir: string;
  readonly socketPath: string;
  private readonly log: Logger;
  private readonly tenant: TenantIdentity | undefined;
  private readonly launcher: WorkerLauncher;
  private readonly saver: SessionSaver | null;
  /** Restores in flight by session id: concurrent requests for one session share one. */
  private readonly restoring = new Map<string, Promise<void>>();

  constructor(
    readonly app: WorkerAppSpec,
    private readonly deps: SupervisorDeps,
  ) {
    super();
    const c = deps.config;
    this.crashes = deps.crashes ?? new CrashTracker({
      limit: c.workerCrashLimit, windowMs: c.workerCrashWindowMs, backoffMs: c.workerBackoffMs, backoffMaxMs: c.workerBackoffMaxMs,
    });
    this.log = deps.logger.child({ app: app.name });
    this.tenant = deps.tenants?.identityFor(app.prefix ?? `/${app.name}`);
    this.launcher = deps.launcher ?? createTsxLauncher(c.projectRoot);
    this.saver = deps.snapshots ? new SessionSaver(deps.snapshots, app.prefix ?? `/${app.name}`, this.log) : null;
    // Unix socket paths are limited to ~107 bytes, so the socket lives in a short private dir under the tmpdir.
    this.runDir = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-"));
    this.socketPath = path.join(this.runDir, "worker.sock");
  }

  get state(): WorkerState {
    return this._state;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Resolves with the worker's socket path once it serves, starting it if needed. */
  ready(): Promise<string> {
    if (this._state === "running") return Promise.resolve(this.socketPath);
    if (this._state === "closed") return Promise.reject(new PlothostError("app_unavailable", "the server is shutting down"));
    if (this._state === "crashed") return Promise.reject(new PlothostError("app_crashed", this.app.prefix ?? `/${this.app.name}`));
    const p = new Promise<string>((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
    if (this._state === "stopped") this.start();
    return p;
  }

  /**
   * Makes sure this worker holds the session before a request for it is proxied: when it does not and the app's
   * saved state has it (a restorable app whose worker died, or that ran elsewhere), the worker re-creates it
   * from that state. Never rejects: a failed restore is logged and the request goes on (a fresh session).
   */
  prepareSession(sessionId: string): Promise<void> {
    if (!this.saver || this.sessions.has(sessionId)) return Promise.resolve();
    let pending = this.restoring.get(sessionId);
    if (!pending) {
      const saver = this.saver;
      pending = this.ready()
        .then(async (socketPath) => {
          if (this.sessions.has(sessionId)) return;
          if (await saver.restore(sessionId, socketPath)) this.log.info({ sessionId }, "session restored from saved state");
        })
        .catch((err: Error) => this.note(this.log, `could not restore session ${sessionId}: ${err.message}`))
        .finally(() => this.restoring.delete(sessionId));
      this.restoring.set(sessionId, pending);
    }
    return pending;
  }

  /** Stops the worker (SIGTERM, then SIGKILL after a grace period) and never restarts it. */
  async close(): Promise<void> {
    if (this._state === "closed") return;
    this.setState("closed");
    this.clearTimers();
    this.failWaiters(new PlothostError("app_unavailable", "the server is shutting down"));
    await terminate(this.child);
    fs.rmSync(this.runDir, { recursive: true, force: true });
  }

  /**
   * Stops the worker on purpose (idle), gracefully: its sessions end (running `on_session_destroyed` hooks). It is
   * not restarted; the next `ready()` starts it again.
   */
  async stop(): Promise<void> {
    if (this._state === "backoff") {
      this.clearTimers();
      return this.setState("stopped");
    }
    if (this._state !== "running" && this._state !== "starting") return;
    this.clearTimers();
    this.setState("stopping");
    await terminate(this.child);
  }

  private start(): void {
    const { config } = this.deps;
    this.setState("starting");
    // A directory app is bound itself; a single module, with the folder it is in.
    const appDir = isDirectory(this.app.path) ? this.app.path : path.dirname(this.app.path);
    // A per-app, persistent, worker-writable TMPDIR keeps tsx's transform cache between starts (~400 → ~250 ms
    // cold start). Per app, never shared: a shared one would let one tenant plant code another tenant runs.
    const cacheDir = this.app.cacheDir ?? path.join(config.dataDir, "apps", this.app.name, "tmp");
    fs.mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const writablePaths = [this.runDir, cacheDir, ...(this.tenant ? [this.tenant.home] : [])];
    let launch: WorkerLaunch | Promise<WorkerLaunch>;
    try {
      launch = this.launcher.prepare({ appPath: this.app.path, appDir, writablePaths });
    } catch (err) {
      launch = Promise.reject(err as Error);
    }
    // The tsx launcher answers at once: the worker starts exactly as it always did.
    if (!(launch instanceof Promise)) return this.spawnWorker(launch, cacheDir, writablePaths);
    launch.then((l) => {
      if (this._state === "starting") return this.spawnWorker(l, cacheDir, writablePaths);
      if (this._state !== "stopping") return;
      if (this.readyWaiters.length > 0) return this.start();
      this.setState("stopped");
    }, (err: Error) => {
      if (this._state !== "starting") return;
      this.note(this.log, `could not prepare the worker: ${err.message}`);
      this.emit("exit", { code: 1, signal: null, reason: null });
      this.restartAfterCrash(this.log, 1, null, null);
    });
  }

  private spawnWorker(launch: WorkerLaunch, cacheDir: string, writablePaths: string[]): void {
    const { config, sandbox } = this.deps;
    const limits = { ...config.workerLimits, ...this.app.limits };
    const args = [
      ...nodeHardeningArgs({ memoryMiB: limits.memoryMiB }),
      ...launch.nodeArgs,
      ...workerConfigToArgs({
        socketPath: this.socketPath, appPath: launch.appPath, prefix: this.app.prefix ?? `/${this.app.name}`, dev: config.dev,
        logLevel: config.logLevel === "silent" ? "error" : config.logLevel,
        unusedSessionLifetimeMs: config.unusedSessionLifetimeMs, checkUnusedSessionsMs: config.checkUnusedSessionsMs,
        keepAliveMs: config.keepAliveMs, sessionTokenExpirationS: config.sessionTokenExpirationS,
        maxMessageBytes: config.maxMessageBytes, binaryThresholdBytes: 64, secretFile: this.writeSecretFile(),
        userHeaderKey: this.deps.userHeaderKey ?? null, persistSessions: this.saver !== null,
      }),
    ];
    const child = sandbox.spawn({
      command: process.execPath,
      args,
      env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: this.tenant?.home ?? cacheDir, TMPDIR: cacheDir, NODE_NO_WARNINGS: "1" },
      cwd: config.projectRoot,
      readOnlyPaths: [...launch.readOnlyPaths],
      writablePaths,
      uid: this.tenant?.uid,
      gid: this.tenant?.gid,
      limits,
      name: this.app.name,
    });
    this.child = child;
    const log = this.log.child({ workerPid: child.pid });
    log.info({ sandbox: sandbox.kind }, "worker starting");
    const startTimer = setTimeout(() => {
      log.error({ timeoutMs: config.workerStartTimeoutMs }, "worker did not become ready in time; killing it as hung");
      child.kill("SIGKILL");
    }, config.workerStartTimeoutMs);
    const onEvent = (_event: string, line: Record<string, unknown>) => {
      const e = parseWorkerEvent(line);
      if (!e || this.child !== child) return;
      if (e.event === "snapshot" || e.event === "changes") return this.saver?.save(e, this.socketPath);
      if (e.event === "session") {
        // Ended by the worker (unused, or the app's own doing): its saved state goes. Not when the worker is being
        // stopped: those sessions should come back on the next worker.
        if (e.op === "destroyed" && this._state === "running") this.saver?.delete(e.id);
        if (e.op === "created") this.sessions.add(e.id);
        else this.sessions.delete(e.id);
        this.deps.onSession?.(e.op, e.id, this.socketPath);
        this.emit("sessions", this.sessions.size);
        return this.armIdle();
      }
      if (this._state !== "starting") return;
      clearTimeout(startTimer);
      this.setState("running");
      const waiters = this.readyWaiters.splice(0);
      for (const w of waiters) w.resolve(this.socketPath);
      this.armIdle();
      this.watchHealth(child);
    };
    const onLine = (l: string) => {
      this.deps.onLogLine?.(l);
      this.emit("line", l);
    };
    if (child.stdout) pipeWorkerOutput(child.stdout, log, "stdout", onEvent, onLine);
    if (child.stderr) pipeWorkerOutput(child.stderr, log, "stderr", () => {}, onLine);
    child.once("error", (err) => log.error({ err }, "could not spawn worker"));
    child.once("exit", (code, signal) => {
      clearTimeout(startTimer);
      if (this.child !== child) return;
      this.child = null;
      this.clearTimers();
      for (const id of this.sessions) this.deps.onSession?.("destroyed", id, this.socketPath);
      this.sessions.clear();
      this.emit("exit", { code, signal, reason: sandbox.exitReason(child) });
      if (this._state === "closed") return;
      if (this._state === "stopping") {
        if (this.readyWaiters.length > 0) return this.start();
        return this.setState("stopped");
      }
      this.restartAfterCrash(log, code, signal, sandbox.exitReason(child));
    });
  }

  /** After a worker exit nobody asked for: restart with backoff, or mark the app crashed after too many. */
  private restartAfterCrash(log: Logger, code: number | null, signal: NodeJS.Signals | null, known: string | null): void {
    const reason = known ? `, ${known}` : signal === "SIGKILL" || code === 137 ? ", killed (out of memory, or hung)" : "";
    const delay = this.crashes.crashed ? null : this.crashes.record();
    if (delay === null) {
      const { limit, windowMs } = this.crashes.policy;
      this.note(log, `worker exited (code ${code}, signal ${signal}${reason}); it crashed ${limit} times within ${windowMs} ms, so the app is marked crashed and not restarted`);
      this.setState("crashed");
      return this.failWaiters(new PlothostError("app_crashed", this.app.prefix ?? `/${this.app.name}`));
    }
    this.note(log, `worker exited (code ${code}, signal ${signal}${reason}); restarting in ${delay} ms`);
    this.setState("backoff");
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this._state === "backoff") this.start();
    }, delay);
  }

  /**
   * With --sign-sessions the worker needs the key to sign and check tokens. It gets it in a file in its private
   * run dir (0700, owned by the worker's uid, visible only inside its sandbox), never on a command line.
   */
  private writeSecretFile(): string | null {
    const { config } = this.deps;
    if (!config.signSessions || !config.secretKey) return null;
    const file = path.join(this.runDir, "session-secret");
    fs.writeFileSync(file, config.secretKey, { mode: 0o444 });
    return file;
  }

  /**
   * From now on, stop the worker after `ms` without sessions (a runner's worker whose gateway let go of it: it serves
   * the sessions it holds, then goes).
   */
  idleAfter(ms: number): void {
    this.idleOverrideMs = ms;
    this.armIdle();
  }

  /** Stops an idle worker after the idle timeout once it holds no sessions; any session cancels that. */
  private armIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const ms = this.idleOverrideMs ?? this.deps.idleTimeoutMs ?? this.deps.config.workerIdleTimeoutMs;
    if (this._state !== "running" || this.sessions.size > 0 || !(ms > 0)) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      this.note(this.log, `no sessions for ${ms} ms; stopping the worker (the next request starts it again)`, "info");
      void this.stop();
    }, ms);
  }

  /** Asks the worker whether it answers, every health interval; two misses in a row kill it as hung (then restart). */
  private watchHealth(child: ChildProcess): void {
    const every = this.deps.config.workerHealthIntervalMs;
    if (!(every > 0)) return;
    let misses = 0;
    const tick = async () => {
      this.healthTimer = null;
      if (this.child !== child || this._state !== "running") return;
      const health = await probeHealth(this.socketPath, every);
      if (this.child !== child || this._state !== "running") return;
      misses = health ? 0 : misses + 1;
      if (misses >= 2) {
        this.note(this.log, `worker did not answer two health checks ${every} ms apart; killing it as hung`);
        child.kill("SIGKILL");
        return;
      }
      this.healthTimer = setTimeout(() => void tick(), every);
    };
    this.healthTimer = setTimeout(() => void tick(), every);
  }

  private clearTimers(): void {
    for (const t of [this.restartTimer, this.idleTimer, this.healthTimer]) if (t) clearTimeout(t);
    this.restartTimer = this.idleTimer = this.healthTimer = null;
  }

  /** Logs something the supervisor did, and puts it in the app's log for its owner. */
  private note(log: Logger, msg: string, level: "info" | "error" = "error"): void {
    log[level](msg);
    this.deps.onLogLine?.(`[plothost] ${msg}`);
    this.emit("line", `[plothost] ${msg}`);
  }

  private failWaiters(err: Error): void {
    for (const w of this.readyWaiters.splice(0)) w.reject(err);
  }

  private setState(s: WorkerState): void {
    this._state = s;
    this.emit("state", s);
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after a grace period; resolves when the child has exited. */
async function terminate(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
  await exited;
  clearTimeout(timer);
}
