/**
 * What gateways and runners (`plothost runner`) say to each other through Redis, and the Redis names they meet at.
 * A runner registers `<prefix>runner:<id>` (its RunnerInfo, expiring after 3 missed heartbeats) in the set
 * `<prefix>runners`, consumes BullMQ jobs on its own queue `runner-<id>` (`start-worker`, `stop-worker`, `release-worker`), and
 * publishes what its workers do on `<prefix>runner-events`. Gateways reach a worker over TCP at the runner's
 * address, each request carrying the shared-secret proof of runner-auth.ts.
 */

/** A runner as it registers itself. */
export interface RunnerInfo {
  readonly id: string;
  /** `host:port` gateways connect to. */
  readonly address: string;
  readonly hostname: string;
  readonly pid: number;
  /** Workers it runs now (placement picks the runner with fewest). */
  readonly workers: number;
  /** Their ids: a gateway counts its own placements not yet listed here on top of `workers`. */
  readonly workerIds: readonly string[];
  readonly startedAt: string;
}

/** The app a `start-worker` job starts: one version of a deployed app, whose files are in Redis (app-files.ts). */
export interface StartWorkerJob {
  readonly workerId: string;
  readonly owner: string;
  readonly name: string;
  readonly version: number;
  /** `module` (entry is the file) or `directory`. */
  readonly format: string;
  readonly entry: string;
  /** The Redis key holding the version's files (a tar.gz). */
  readonly filesKey: string;
  /** The gateways' public key for the signed user header. */
  readonly userHeaderKey: string;
  /** Stop the worker after this long without sessions (0: never). */
  readonly idleTimeoutMs: number;
}

/** `stop-worker` (stop it now) and `release-worker` (its gateway let go: stop it once it has no sessions). */
export interface StopWorkerJob {
  readonly workerId: string;
}

/** What a runner publishes about one of its workers. */
export type RunnerEvent =
  | { readonly type: "state"; readonly runner: string; readonly worker: string; readonly state: string; readonly pid?: number | null }
  | { readonly type: "session"; readonly runner: string; readonly worker: string; readonly op: "created" | "destroyed"; readonly id: string }
  | { readonly type: "exit"; readonly runner: string; readonly worker: string; readonly code: number | null; readonly signal: string | null; readonly reason: string | null }
  | { readonly type: "line"; readonly runner: string; readonly worker: string; readonly line: string }
  /** The runner stops (graceful shutdown): its workers are gone. */
  | { readonly type: "runner-stopped"; readonly runner: string };

export const runnerKey = (prefix: string, id: string): string => `${prefix}runner:${id}`;
export const runnersSetKey = (prefix: string): string => `${prefix}runners`;
export const runnerEventsChannel = (prefix: string): string => `${prefix}runner-events`;
/** BullMQ queue names may not contain `:`. */
export const runnerQueueName = (id: string): string => `runner-${id}`;
export const appFilesKey = (prefix: string, owner: string, name: string, version: number): string =>
  `${prefix}app-files:${owner.toLowerCase()}/${name}:${version}`;

/**
 * Where the proxy sends a session's traffic: a local worker's Unix socket path, or a worker on a runner as
 * `runner://<host:port>/<runnerId>/<workerId>` (what the session registry stores, so any gateway can reach it).
 */
export type WorkerTarget = string;

export interface RunnerTarget {
  readonly address: string;
  readonly host: string;
  readonly port: number;
  readonly runnerId: string;
  readonly workerId: string;
}

export function runnerTarget(address: string, runnerId: string, workerId: string): WorkerTarget {
  return `runner://${address}/${runnerId}/${workerId}`;
}

/** The parts of a `runner://` target, or null for a Unix socket path. */
export function parseRunnerTarget(target: WorkerTarget): RunnerTarget | null {
  const m = /^runner:\/\/(\[[^\]]+\]|[^/:]+):(\d+)\/([A-Za-z0-9_-]+)\/([A-Za-z0-9_-]+)$/.exec(target);
  if (!m) return null;
  return { address: `${m[1]}:${m[2]}`, host: m[1]!.replace(/^\[|\]$/g, ""), port: Number(m[2]), runnerId: m[3]!, workerId: m[4]! };
}

/** Parses a published event; anything malformed is null (ignored). */
export function parseRunnerEvent(raw: string): RunnerEvent | null {
  let e: Record<string, unknown>;
  try {
    e = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return null;
  }
  if (typeof e.runner !== "string") return null;
  if (e.type === "runner-stopped") return e as unknown as RunnerEvent;
  if (typeof e.worker !== "string") return null;
  if (e.type === "state" && typeof e.state === "string") return e as unknown as RunnerEvent;
  if (e.type === "session" && (e.op === "created" || e.op === "destroyed") && typeof e.id === "string") return e as unknown as RunnerEvent;
  if (e.type === "exit" || (e.type === "line" && typeof e.line === "string")) return e as unknown as RunnerEvent;
  return null;
}
