import { PlothostError } from "../../../shared/errors/catalogue.ts";
import type { AppRow, AppState } from "../../../web-admin/view-types.ts";
import { LogRing } from "../apps/log-ring.ts";
import type { WorkerSupervisor } from "../worker-supervisor.ts";
import type { LiveConnections } from "./live-connections.ts";
import { processTreeUsage } from "../sandbox/process-tree.ts";

/** What the console needs of an app's supervisor. */
export type SupervisedApp = Pick<WorkerSupervisor, "app" | "state" | "pid" | "ready" | "stop" | "sessions" | "on" | "off">;

interface Tracked {
  readonly sup: SupervisedApp;
  /** Every worker exit. */
  exits: number;
  /** Crashes (exits nobody asked for) plus restarts admins asked for; idle stops are not counted. */
  restarts: number;
  /** Set by `restart` to the exit count then: the restart is over once a later exit was followed by `running`. */
  restartFrom: number | null;
  cpu: { atMs: number; seconds: number } | null;
  cpuPercent: number | null;
  memoryBytes: number | null;
  /** The worker's output lines and the supervisor's notes, the last 200. */
  readonly log: LogRing;
  readonly off: () => void;
}

/** Log lines an app row carries (the page shows them under "Last log lines"). */
export const LOG_TAIL_LINES = 50;

/**
 * The command-line apps this gateway serves (`plothost serve app.ts`), as the admin console shows and acts on
 * them: state, worker pid, memory and CPU (sampled from /proc by `sample()`), live sessions, restarts, the last
 * log lines; and `start`, `stop`, `restart`. Deployed apps are `DeployedAppsView`'s.
 *
 * A restart stops the worker gracefully through its supervisor (its sessions end) and starts a new one at once;
 * until the new worker is ready the app shows as `restarting`. A stop ends the worker the same way and leaves the
 * app idle: the next visit (or `start`) starts it again. Deliberately left out here: roll back, owner and
 * version (apps given on the command line have none of them).
 */
export class AppsView {
  private readonly apps = new Map<string, Tracked>();

  constructor(supervisors: ReadonlyMap<string, SupervisedApp>, private readonly deps: { connections: LiveConnections; now?: () => number }) {
    for (const [name, sup] of supervisors) {
      const t: Tracked = {
        sup, exits: 0, restarts: 0, restartFrom: null, cpu: null, cpuPercent: null, memoryBytes: null, log: new LogRing(200),
        off: () => {
          sup.off("exit", onExit);
          sup.off("state", onState);
          sup.off("line", onLine);
        },
      };
      const onLine = (line: string) => t.log.push(line);
      const onExit = () => {
        t.exits++;
        // Emitted before the supervisor changes state: `stopping` and `closed` mean the exit was asked for.
        if (sup.state !== "stopping" && sup.state !== "closed") t.restarts++;
      };
      const onState = (s: string) => {
        if (s === "closed" || (s === "running" && t.restartFrom !== null && t.exits > t.restartFrom)) t.restartFrom = null;
      };
      sup.on("exit", onExit);
      sup.on("state", onState);
      sup.on("line", onLine);
      this.apps.set(name, t);
    }
  }

  has(name: string): boolean {
    return this.apps.has(name);
  }

  /** Reads each worker's memory and CPU time; CPU percent is the change since the previous sample. */
  sample(): void {
    const now = this.now();
    for (const t of this.apps.values()) {
      const pid = t.sup.pid;
      const usage = pid === undefined ? null : processTreeUsage(pid);
      t.memoryBytes = usage?.rssBytes ?? null;
      if (!usage) {
        t.cpu = null;
        t.cpuPercent = null;
        continue;
      }
      if (t.cpu && now > t.cpu.atMs && usage.cpuSeconds >= t.cpu.seconds) {
        t.cpuPercent = Math.round(((usage.cpuSeconds - t.cpu.seconds) / ((now - t.cpu.atMs) / 1000)) * 1000) / 10;
      }
      t.cpu = { atMs: now, seconds: usage.cpuSeconds };
    }
  }

  list(): AppRow[] {
    return [...this.apps.values()].map((t) => this.row(t));
  }

  get(name: string): AppRow {
    return this.row(this.tracked(name));
  }

  /** Crashes and admin restarts of all apps since the gateway started. */
  get restarts(): number {
    let n = 0;
    for (const t of this.apps.values()) n += t.restarts;
    return n;
  }

  /** Memory of every worker's sandbox, from the last sample. */
  get memoryBytes(): number {
    let n = 0;
    for (const t of this.apps.values()) n += t.memoryBytes ?? 0;
    return n;
  }

  get running(): number {
    let n = 0;
    for (const t of this.apps.values()) if (t.sup.state === "running") n++;
    return n;
  }

  /** Starts an app's worker if it has none running (an idle or stopped app); resolves once it is starting. */
  start(name: string): AppRow {
    const t = this.tracked(name);
    if (t.sup.state === "closed") throw new PlothostError("app_unavailable", "the server is shutting down");
    if (t.sup.state === "crashed") throw new PlothostError("app_crashed", t.sup.app.name);
    void t.sup.ready().catch(() => {});
    return this.row(t);
  }

  /** Stops an app's worker gracefully (its sessions end); the app is idle until its next visit or `start`. */
  async stop(name: string): Promise<AppRow> {
    const t = this.tracked(name);
    t.restartFrom = null;
    await t.sup.stop();
    return this.row(t);
  }

  /**
   * Restarts an app's worker: a running worker is asked to stop (the supervisor then starts a new one); an app
   * without a worker is started. Resolves once the restart is under way, not when the new worker is ready.
   */
  async restart(name: string): Promise<AppRow> {
    const t = this.tracked(name);
    const { sup } = t;
    if (sup.state === "closed") throw new PlothostError("app_unavailable", "the server is shutting down");
    if (sup.state === "crashed") throw new PlothostError("app_crashed", sup.app.name);
    if (sup.state === "running" || sup.state === "starting") {
      t.restartFrom = t.exits;
      t.restarts++;
      // A `ready()` waiting while the worker stops makes the supervisor start a new one right after the exit.
      const stopped = sup.stop();
      void sup.ready().catch(() => {});
      await stopped;
    } else {
      // Idle, stopping or waiting to restart after a crash: bring a worker up now.
      void sup.ready().catch(() => {});
    }
    return this.row(t);
  }

  close(): void {
    for (const t of this.apps.values()) t.off();
  }

  private tracked(name: string): Tracked {
    const t = this.apps.get(name);
    if (!t) throw new PlothostError("app_not_found", name);
    return t;
  }

  private row(t: Tracked): AppRow {
    const { sup } = t;
    const sessions = Math.max(sup.sessions.size, this.deps.connections.list({ kind: "app", target: sup.app.name }).length);
    return {
      kind: "local", name: sup.app.name, url: `/${sup.app.name}`, owner: null, version: null, versions: [],
      state: t.restartFrom !== null ? "restarting" : stateOf(sup.state), sessions, restarts: t.restarts, logTail: t.log.tail().slice(-LOG_TAIL_LINES),
      workers: [{ pid: sup.pid ?? null, state: sup.state, memoryBytes: t.memoryBytes, cpuPercent: t.cpuPercent, sessions }],
    };
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }
}

function stateOf(s: WorkerSupervisor["state"]): AppState {
  switch (s) {
    case "running": return "running";
    case "stopped": return "idle";
    case "starting": return "starting";
    case "backoff": return "crashed";
    case "crashed": return "crashed";
    case "stopping": return "stopping";
    case "closed": return "stopped";
  }
}
