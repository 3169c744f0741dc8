import path from "node:path";
import type { Redis } from "ioredis";
import type { GatewayConfig } from "../../../shared/config/index.ts";
import type { Logger } from "../../../shared/logging/create-logger.ts";
import { PlothostError } from "../../../shared/errors/catalogue.ts";
import { WorkerSupervisor, type SupervisorDeps } from "../worker-supervisor.ts";
import { fetchAppFiles } from "./app-files.ts";
import { runnerTarget, type RunnerEvent, type StartWorkerJob, type WorkerTarget } from "./runner-protocol.ts";

/** A worker this runner runs, and the URL prefix its traffic must stay under. */
export interface HostedWorker {
  readonly supervisor: WorkerSupervisor;
  readonly prefix: string;
}

type Publish = (e: RunnerEvent) => void;

/**
 * The workers of one runner: each `start-worker` job becomes a WorkerSupervisor (the same sandboxing, restarts,
 * health checks and idle stop as on a gateway), whose state, sessions, exits and log lines are published for the
 * gateways; the sessions are also put in the session registry with the worker's `runner://` target, so any
 * gateway can route a session's WebSocket here. A worker that stops for idleness or crashes for good is forgotten.
 */
export class RunnerHost {
  private readonly workers = new Map<string, HostedWorker>();
  private closed = false;

  constructor(
    private readonly opts: {
      id: string;
      /** `host:port` gateways reach this runner at. */
      address: string;
      config: GatewayConfig;
      logger: Logger;
      redis: Redis;
      publish: Publish;
      /** Session id → target, shared by every gateway. */
      sessions: { register(id: string, target: WorkerTarget): void; unregister(id: string): void };
      supervisorDeps: Pick<SupervisorDeps, "sandbox" | "tenants" | "launcher"> & Partial<SupervisorDeps>;
    },
  ) {}

  get size(): number {
    return this.workers.size;
  }

  get ids(): string[] {
    return [...this.workers.keys()];
  }

  get(workerId: string): HostedWorker | undefined {
    return this.workers.get(workerId);
  }

  /** Starts a worker for the job (its files fetched first); resolves once it is starting, not when ready. */
  async start(job: StartWorkerJob): Promise<void> {
    if (this.closed) throw new PlothostError("app_unavailable", "the runner is shutting down");
    if (this.workers.has(job.workerId)) return;
    const { config, logger, id: runner } = this.opts;
    const appRoot = path.join(config.dataDir, "runner", "apps", job.owner.toLowerCase(), job.name);
    const appDir = path.join(appRoot, "versions", String(job.version));
    await fetchAppFiles(this.opts.redis, job.filesKey, appDir, { maxBytes: config.maxAppBytes, maxEntries: 10_000 });
    const prefix = `/${job.owner}/${job.name}`;
    const target = runnerTarget(this.opts.address, runner, job.workerId);
    const publish = this.opts.publish;
    const worker = job.workerId;
    const supervisor = new WorkerSupervisor({
      name: `${job.owner}/${job.name}`, path: job.format === "directory" ? appDir : path.join(appDir, job.entry), prefix,
      cacheDir: path.join(appRoot, "tmp"),
    }, {
      ...this.opts.supervisorDeps, config, logger: logger.child({ worker }), userHeaderKey: job.userHeaderKey, idleTimeoutMs: job.idleTimeoutMs,
      onLogLine: (line) => publish({ type: "line", runner, worker, line }),
      onSession: (op, id) => {
        if (op === "created") this.opts.sessions.register(id, target);
        else this.opts.sessions.unregister(id);
        publish({ type: "session", runner, worker, op, id });
      },
    });
    this.workers.set(worker, { supervisor, prefix });
    supervisor.on("state", (state: string) => {
      publish({ type: "state", runner, worker, state, pid: supervisor.pid ?? null });
      // Stopped for idleness, or crashed for good: the gateway places a new worker when it needs one.
      if (state === "stopped" || state === "crashed") void this.stop(worker);
    });
    supervisor.on("exit", (e: { code: number | null; signal: string | null; reason: string | null }) => publish({ type: "exit", runner, worker, ...e }));
    supervisor.ready().catch(() => {});
  }

  /** Stops and forgets a worker (its sessions end); unknown ids are ignored (stopped already). */
  async stop(workerId: string): Promise<void> {
    const w = this.workers.get(workerId);
    if (!w) return;
    this.workers.delete(workerId);
    await w.supervisor.close();
    this.opts.publish({ type: "state", runner: this.opts.id, worker: workerId, state: "closed" });
  }

  /** The gateway that placed the worker let go of it: it stops once it has had no sessions for `idleMs`. */
  release(workerId: string, idleMs: number): void {
    this.workers.get(workerId)?.supervisor.idleAfter(idleMs);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.workers.keys()].map((w) => this.stop(w)));
  }
}
