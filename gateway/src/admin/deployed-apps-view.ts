import { PlothostError } from "../../../shared/errors/catalogue.ts";
import type { AppRow, AppState, WorkerRow } from "../../../web-admin/view-types.ts";
import type { AppRecord, AppStore } from "../apps/app-store.ts";
import type { AppRouter } from "../apps/app-router.ts";
import type { JobInfo, JobQueue } from "../apps/jobs/job-queue.ts";
import type { PoolState, WorkerPool } from "../apps/worker-pool.ts";
import { LOG_TAIL_LINES } from "./apps-view.ts";
import type { LiveConnections } from "./live-connections.ts";
import { processTreeUsage } from "../sandbox/process-tree.ts";

/** What the console needs of the deployed apps (gateway/src/apps, `createApps`). */
export interface DeployedApps {
  readonly store: Pick<AppStore, "list" | "get" | "addJob">;
  readonly router: Pick<AppRouter, "get" | "allPools" | "logFor">;
  readonly queue: Pick<JobQueue, "add" | "get">;
}

interface Usage {
  memoryBytes: number | null;
  cpuPercent: number | null;
  cpu: { atMs: number; seconds: number } | null;
}

/** How many of an app's newest jobs are looked at for a deploy still queued or running. */
const RECENT_JOBS = 3;

/**
 * Every user's deployed apps (`/<owner>/<app>`), as the admin console shows and acts on them: owner, current
 * version and stored versions, state (`deploying` while a deploy or rollback job is queued or running), each
 * worker of the current version with its pid, memory and CPU (sampled from /proc by `sample()`), sessions, the
 * last log lines (the app's LogRing); and `start`, `stop`, `restart`, `rollback`.
 *
 * Apps are named `<owner>/<app>` here. Start warms the current version's pool up; stop ends its workers
 * gracefully (the app is idle, and the next visit starts a worker again); restart replaces each running worker
 * (the app shows `restarting` until none of the old workers is left and one runs); rollback queues the same
 * `deploy` job as the owner's `POST /api/v1/apps/:name/rollback`. Deliberately left out: workers of replaced
 * versions still draining their sessions (counted in the memory total, not listed), and deploying new archives
 * (owners do that).
 */
export class DeployedAppsView {
  private readonly usage = new Map<number, Usage>();
  /** Last crash counts of the pools seen, and the counts of pools gone since (replaced or removed). */
  private readonly crashCounts = new Map<WorkerPool, number>();
  private retiredCrashes = 0;
  private adminRestarts = 0;
  /** Admin restarts per app (`<owner>/<app>`). */
  private readonly restartCounts = new Map<string, number>();
  /** Apps an admin restarted: the pids that were running then. */
  private readonly restarting = new Map<string, { pool: WorkerPool; pids: Set<number> }>();

  constructor(private readonly apps: DeployedApps, private readonly deps: { connections: LiveConnections; now?: () => number }) {}

  /** Reads each worker's memory and CPU time (CPU percent is the change since the previous sample). */
  sample(): void {
    const now = this.deps.now?.() ?? Date.now();
    const pools = this.apps.router.allPools();
    const seen = new Set<number>();
    for (const pool of pools) {
      this.crashCounts.set(pool, pool.crashCount);
      for (const w of pool.workerInfo) {
        if (w.pid === null) continue;
        seen.add(w.pid);
        const u = this.usage.get(w.pid) ?? { memoryBytes: null, cpuPercent: null, cpu: null };
        const read = processTreeUsage(w.pid);
        u.memoryBytes = read?.rssBytes ?? null;
        if (read && u.cpu && now > u.cpu.atMs && read.cpuSeconds >= u.cpu.seconds) {
          u.cpuPercent = Math.round(((read.cpuSeconds - u.cpu.seconds) / ((now - u.cpu.atMs) / 1000)) * 1000) / 10;
        }
        u.cpu = read ? { atMs: now, seconds: read.cpuSeconds } : null;
        this.usage.set(w.pid, u);
      }
    }
    for (const pid of this.usage.keys()) if (!seen.has(pid)) this.usage.delete(pid);
    const live = new Set(pools);
    for (const [pool, n] of this.crashCounts) {
      if (live.has(pool)) continue;
      this.retiredCrashes += n;
      this.crashCounts.delete(pool);
    }
  }

  /** Memory of every deployed app's workers (draining versions' too), from the last sample. */
  get memoryBytes(): number {
    let n = 0;
    for (const u of this.usage.values()) n += u.memoryBytes ?? 0;
    return n;
  }

  /** Deployed apps with a running worker. */
  get running(): number {
    return new Set(this.apps.router.allPools().filter((p) => p.state === "running").map((p) => p.spec.name)).size;
  }

  /** Worker crashes and admin restarts of deployed apps since the gateway started. */
  get restarts(): number {
    let n = this.retiredCrashes + this.adminRestarts;
    for (const pool of this.apps.router.allPools()) n += Math.max(pool.crashCount, this.crashCounts.get(pool) ?? 0);
    return n;
  }

  async list(): Promise<AppRow[]> {
    return Promise.all((await this.apps.store.list()).map((a) => this.row(a)));
  }

  /** The owner of each deployed app (one entry per app). */
  async owners(): Promise<string[]> {
    return (await this.apps.store.list()).map((a) => a.owner);
  }

  /** The worker of a deployed app (`<owner>/<app>`) when it has exactly one, for the Sessions page; else null. */
  workerPidFor(name: string): number | null {
    const [owner, app] = name.split("/");
    const workers = owner && app ? this.apps.router.get(owner, app)?.workerInfo ?? [] : [];
    return workers.length === 1 ? workers[0].pid : null;
  }

  async get(name: string): Promise<AppRow> {
    return this.row(await this.record(name));
  }

  /** Starts the current version's first worker(s) (`--min-procs`, at least one); resolves once they are starting. */
  async start(name: string): Promise<AppRow> {
    const app = await this.record(name);
    void this.servingPool(app).warmUp().catch(() => {});
    return this.row(app);
  }

  /** Stops the current version's workers gracefully (their sessions end); the next visit starts one again. */
  async stop(name: string): Promise<AppRow> {
    const app = await this.record(name);
    const pool = this.servingPool(app, { crashedOk: true });
    this.restarting.delete(keyOf(app));
    await pool.stop();
    return this.row(app);
  }

  /** Replaces the current version's running workers with new ones (their sessions end); starts an idle app. */
  async restart(name: string): Promise<AppRow> {
    const app = await this.record(name);
    const pool = this.servingPool(app);
    const pids = new Set(pool.workerInfo.flatMap((w) => (w.pid === null ? [] : [w.pid])));
    await pool.restart();
    this.adminRestarts++;
    this.restartCounts.set(keyOf(app), (this.restartCounts.get(keyOf(app)) ?? 0) + 1);
    if (pids.size > 0) this.restarting.set(keyOf(app), { pool, pids });
    return this.row(app);
  }

  /**
   * Queues a deploy of a stored version (the owner's rollback, done by an admin): new sessions go to it once its
   * worker is up; the current version's sessions drain. Any version that did not fail may be chosen, the current
   * one too (which also brings a crashed app back).
   */
  async rollback(name: string, version: unknown): Promise<{ app: AppRow; deploy: JobInfo }> {
    const app = await this.record(name);
    if (app.deleting) throw new PlothostError("app_deleting", keyOf(app));
    const number = typeof version === "number" ? version : typeof version === "string" && /^\d{1,9}$/.test(version) ? Number(version) : NaN;
    const v = app.versions.find((x) => x.version === number);
    if (!v) throw new PlothostError("version_not_found", `send {"version": N} with one of ${app.versions.map((x) => x.version).join(", ")}`);
    if (v.status === "failed") throw new PlothostError("bad_request", `version ${number} failed to deploy (${v.error}); roll back to a version that worked`);
    const job = await this.apps.queue.add("deploy", { owner: app.owner, name: app.name, version: number, rollback: true });
    const updated = await this.apps.store.addJob(app.owner, app.name, job.id);
    this.apps.router.logFor(app.owner, app.name).push(`[plothost] an admin rolled the app back to version ${number} (deploy ${job.id})`);
    return { app: await this.row(updated), deploy: job };
  }

  close(): void {
    this.usage.clear();
    this.crashCounts.clear();
    this.restarting.clear();
  }

  /** `<owner>/<app>` → the app's record, or 404. */
  private async record(name: string): Promise<AppRecord> {
    const [owner, app, ...rest] = name.split("/");
    const found = owner && app && rest.length === 0 ? await this.apps.store.get(owner, app) : null;
    if (!found) throw new PlothostError("app_not_found", `no deployed app ${name} (deployed apps are named OWNER/APP)`);
    return found;
  }

  /** The pool serving the app's current version, or why there is none. */
  private servingPool(app: AppRecord, opts: { crashedOk?: boolean } = {}): WorkerPool {
    if (app.deleting) throw new PlothostError("app_deleting", keyOf(app));
    const pool = this.apps.router.get(app.owner, app.name);
    if (app.currentVersion === null || !pool) throw new PlothostError("app_unavailable", `${keyOf(app)} has no deployed version yet`);
    if (!opts.crashedOk && pool.state === "crashed") {
      throw new PlothostError("app_crashed", `${keyOf(app)}: roll back to a version (the current one too) to start it again`);
    }
    return pool;
  }

  private async row(a: AppRecord): Promise<AppRow> {
    const key = keyOf(a);
    const pool = this.apps.router.get(a.owner, a.name);
    const workers: WorkerRow[] = (pool?.workerInfo ?? []).map((w) => {
      const u = w.pid === null ? undefined : this.usage.get(w.pid);
      return { pid: w.pid, runner: w.runner, state: w.state, sessions: w.sessions, memoryBytes: u?.memoryBytes ?? null, cpuPercent: u?.cpuPercent ?? null };
    });
    const sessions = Math.max(pool?.sessionCount ?? 0, this.deps.connections.list({ kind: "app", target: `${a.owner}/${a.name}` }).length);
    return {
      kind: "deployed", name: key, url: `/${a.owner}/${a.name}`, owner: a.owner,
      version: a.currentVersion === null ? null : String(a.currentVersion),
      versions: a.versions.map((v) => ({ version: v.version, status: v.status, createdAt: v.createdAt })),
      state: await this.stateOf(a, pool), workers, sessions,
      restarts: (pool?.crashCount ?? 0) + (this.restartCounts.get(key) ?? 0),
      logTail: this.apps.router.logFor(a.owner, a.name).tail().slice(-LOG_TAIL_LINES),
    };
  }

  private async stateOf(a: AppRecord, pool: WorkerPool | undefined): Promise<AppState> {
    if (a.deleting) return "deleting";
    const jobs = await Promise.all(a.jobs.slice(-RECENT_JOBS).map((id) => this.apps.queue.get(id)));
    if (jobs.some((j) => j?.name === "deploy" && (j.state === "queued" || j.state === "running"))) return "deploying";
    if (a.currentVersion === null || !pool) return "not_deployed";
    const key = keyOf(a);
    const r = this.restarting.get(key);
    if (r) {
      const done = r.pool !== pool || pool.state === "crashed"
        || (pool.state === "running" && !pool.workerInfo.some((w) => w.pid !== null && r.pids.has(w.pid)));
      if (!done) return "restarting";
      this.restarting.delete(key);
    }
    return poolState(pool.state);
  }
}

const keyOf = (a: { owner: string; name: string }): string => `${a.owner}/${a.name}`;

function poolState(s: PoolState): AppState {
  switch (s) {
    case "running": return "running";
    case "idle": return "idle";
    case "starting": return "starting";
    case "crashed": return "crashed";
    case "closed": return "stopped";
  }
}
