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
import { pipeWorkerOutput } from "./worker-log.ts";

export type WorkerState = "stopped" | "starting" | "running" | "backoff" | "closed";

/** Delay before the n-th consecutive restart: 0.5 s, 1 s, 2 s, ... capped at 60 s. */
export const restartDelayMs = (attempt: number): number => Math.min(60_000, 500 * 2 ** Math.max(0, attempt - 1));

/**
 * Starts, watches and restarts the sandboxed worker process of one app. The gateway reaches the worker only
 * through the Unix socket returned by `ready()`. A worker that exits while it should run is restarted with
 * exponential backoff; one that does not report ready within the start timeout is killed as hung.
 * Events: `state` (WorkerState), `exit` ({code, signal}).
 */
export class WorkerSupervisor extends EventEmitter {
  private child: ChildProcess | null = null;
  private _state: WorkerState = "stopped";
  private readyWaiters: Array<{ resolve: (p: string) => void; reject: (e: Error) => void }> = [];
  private crashes = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private readonly runDir: string;
  readonly socketPath: string;
  private readonly log: Logger;

  constructor(
    readonly app: AppSpec,
    private readonly deps: { sandbox: Sandbox; config: GatewayConfig; logger: Logger; userHeaderKey?: string },
  ) {
    super();
    this.log = deps.logger.child({ app: app.name });
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
    const p = new Promise<string>((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
    if (this._state === "stopped") this.start();
    return p;
  }

  /** Stops the worker (SIGTERM, then SIGKILL after a grace period) and never restarts it. */
  async close(): Promise<void> {
    if (this._state === "closed") return;
    this.setState("closed");
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.failWaiters(new PlothostError("app_unavailable", "the server is shutting down"));
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(this.runDir, { recursive: true, force: true });
  }

  private start(): void {
    const { config, sandbox } = this.deps;
    this.setState("starting");
    const appDir = path.dirname(this.app.path);
    // A per-app, persistent, worker-writable TMPDIR keeps tsx's transform cache between starts (~400 → ~250 ms
    // cold start). Per app, never shared: a shared one would let one tenant plant code another tenant runs.
    const cacheDir = path.join(config.dataDir, "apps", this.app.name, "tmp");
    fs.mkdirSync(cacheDir, { recursive: true, mode: 0o700 });
    const root = config.projectRoot;
    const args = [
      "--import", "tsx", path.join(root, "worker", "src", "main.ts"),
      ...workerConfigToArgs({
        socketPath: this.socketPath, appPath: this.app.path, prefix: `/${this.app.name}`, dev: config.dev,
        logLevel: config.logLevel === "silent" ? "error" : config.logLevel,
        unusedSessionLifetimeMs: config.unusedSessionLifetimeMs, checkUnusedSessionsMs: config.checkUnusedSessionsMs,
        keepAliveMs: config.keepAliveMs, sessionTokenExpirationS: config.sessionTokenExpirationS,
        maxMessageBytes: config.maxMessageBytes, binaryThresholdBytes: 64, secretFile: this.writeSecretFile(),
        userHeaderKey: this.deps.userHeaderKey ?? null,
      }),
    ];
    const child = sandbox.spawn({
      command: process.execPath,
      args,
      env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: cacheDir, TMPDIR: cacheDir, NODE_NO_WARNINGS: "1" },
      cwd: root,
      // Only what the worker needs: its code, its dependencies, and the app. Not the data directory.
      readOnlyPaths: [...new Set([
        path.join(root, "package.json"), path.join(root, "worker"), path.join(root, "shared"),
        path.join(root, "node_modules"), appDir,
      ])],
      writablePaths: [this.runDir, cacheDir],
    });
    this.child = child;
    const log = this.log.child({ workerPid: child.pid });
    log.info({ sandbox: sandbox.kind }, "worker starting");
    const startTimer = setTimeout(() => {
      log.error({ timeoutMs: config.workerStartTimeoutMs }, "worker did not become ready in time; killing it as hung");
      child.kill("SIGKILL");
    }, config.workerStartTimeoutMs);
    const onEvent = (event: string) => {
      if (event !== "ready" || this.child !== child) return;
      clearTimeout(startTimer);
      this.setState("running");
      const waiters = this.readyWaiters.splice(0);
      for (const w of waiters) w.resolve(this.socketPath);
    };
    if (child.stdout) pipeWorkerOutput(child.stdout, log, "stdout", onEvent);
    if (child.stderr) pipeWorkerOutput(child.stderr, log, "stderr", () => {});
    child.once("error", (err) => log.error({ err }, "could not spawn worker"));
    child.once("exit", (code, signal) => {
      clearTimeout(startTimer);
      if (this.child !== child) return;
      this.child = null;
      this.emit("exit", { code, signal });
      if (this._state === "closed") return;
      const wasRunning = this._state === "running";
      this.crashes = wasRunning ? 1 : this.crashes + 1;
      const delay = restartDelayMs(this.crashes);
      log.error({ code, signal, restartInMs: delay, reason: signal === "SIGKILL" || code === 137 ? "killed (possibly out of memory)" : undefined }, "worker exited; restarting");
      this.setState("backoff");
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        if (this._state === "backoff") this.start();
      }, delay);
    });
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

  private failWaiters(err: Error): void {
    for (const w of this.readyWaiters.splice(0)) w.reject(err);
  }

  private setState(s: WorkerState): void {
    this._state = s;
    this.emit("state", s);
  }
}
