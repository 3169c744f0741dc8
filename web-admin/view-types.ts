/**
 * What the admin console shows: the rows of its tables and the numbers of its overview. The gateway's admin API
 * returns exactly these shapes (as JSON, dates as ISO strings), and the server-rendered pages are drawn from
 * them, so the pages and the API can never disagree. Nothing here imports the gateway; accounts and documents
 * extend the API's own shapes (shared/api/resources.ts).
 */

import type { DocumentInfo, UserInfo } from "../shared/api/resources.ts";

/** One account in the Users table: the account as the API describes it, with what it owns. */
export interface UserRow extends Omit<UserInfo, "id"> {
  /** Deployed apps the user owns. */
  readonly apps: number;
  /** Published documents the user owns. */
  readonly docs: number;
  /** Unrevoked, unexpired API tokens and login sessions. */
  readonly activeTokens: number;
}

/** A page of the Users table. */
export interface UserPage {
  readonly users: readonly UserRow[];
  readonly total: number;
  readonly page: number;
  readonly perPage: number;
  readonly q: string;
}

/**
 * An app's state as an admin reads it: `running`, `idle` (no worker; started on the next visit), `starting`,
 * `stopping`, `restarting` (an admin asked for it), `crashed` (its worker exited: waiting to be restarted, or
 * down for good after too many crashes), `stopped` (the server is shutting down), `deploying` (a deploy or
 * rollback job is queued or running), `deleting` (its owner deleted it; a job removes it), or `not_deployed` (a
 * deployed app none of whose versions deployed successfully yet).
 */
export type AppState =
  | "running" | "idle" | "starting" | "stopping" | "restarting" | "crashed" | "stopped" | "deploying" | "deleting" | "not_deployed";

/** One stored version of a deployed app, for choosing what to roll back to. */
export interface AppVersionRow {
  readonly version: number;
  /** `stored` (uploaded, never deployed), `ready` (deployed once successfully) or `failed` (its deploy failed). */
  readonly status: "stored" | "ready" | "failed";
  readonly createdAt: string;
}

/** One worker process of an app. */
export interface WorkerRow {
  readonly pid: number | null;
  /** The runner (worker host) it runs on, for a deployed app's worker with `--runners`. */
  readonly runner?: string | null;
  /** The supervisor's own state word (`running`, `backoff`, ...). */
  readonly state: string;
  /** Resident memory of the worker's sandbox (launcher, init and worker), or null when unknown. */
  readonly memoryBytes: number | null;
  /** CPU use over the last sampling interval, in percent of one core, or null before the first interval. */
  readonly cpuPercent: number | null;
  readonly sessions: number;
}

/**
 * One app in the Apps table: a command-line app (`local`: given to `plothost serve`, named `demo`, no owner or
 * versions) or a deployed one (`deployed`: named `<owner>/<app>`, with versions to roll back to).
 */
export interface AppRow {
  readonly kind: "local" | "deployed";
  /** What the console's API takes in its paths: `demo`, or `alice/sales` for a deployed app. */
  readonly name: string;
  readonly url: string;
  readonly owner: string | null;
  /** The version serving new sessions (deployed apps), else null. */
  readonly version: string | null;
  /** A deployed app's stored versions, oldest first (empty for command-line apps). */
  readonly versions: readonly AppVersionRow[];
  readonly state: AppState;
  readonly workers: readonly WorkerRow[];
  readonly sessions: number;
  /**
   * Crashes and admin restarts since the gateway started (idle stops are not counted); for a deployed app, the
   * crashes of its current version's workers plus admin restarts.
   */
  readonly restarts: number;
  /** The workers' last output lines and the supervisor's notes about them, oldest first. */
  readonly logTail: readonly string[];
}

/** One live session connection. */
export interface SessionRow {
  /** The console's id for the connection (what `DELETE /api/v1/admin/sessions/:id` takes). */
  readonly id: string;
  readonly kind: "app" | "doc";
  /** App name or document id. */
  readonly target: string;
  readonly sessionId: string | null;
  readonly user: string | null;
  readonly workerPid: number | null;
  readonly remote: string | null;
  readonly openedAt: string;
  readonly lastActivityAt: string;
}

/** One published document: its metadata as the API describes it, and who watches it now. */
export interface DocRow extends DocumentInfo {
  /** Live viewers connected to it right now. */
  readonly viewers: number;
}

/** One line of the audit log. */
export interface AuditRow {
  readonly id: number;
  readonly at: string;
  readonly actor: string | null;
  readonly action: string;
  readonly target: string | null;
  readonly ip: string | null;
}

/** A page of the audit log with the filters that made it; `nextBefore` continues it (null at the end). */
export interface AuditPage {
  readonly events: readonly AuditRow[];
  readonly filter: { readonly actor: string; readonly action: string; readonly target: string };
  readonly nextBefore: number | null;
}

/** The latest metrics sample (what the overview's charts plot, one row a second). */
export interface MetricsSample {
  /** Epoch milliseconds. */
  readonly at: number;
  /** Live user sessions (app and document connections). */
  readonly sessions: number;
  readonly requestsPerSecond: number;
  /** Proxy latency percentiles over the last 10 s of app requests, null when there were none. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  /** Memory of all workers' sandboxes. */
  readonly workerMemoryBytes: number;
  /** Worker crashes and admin restarts since the gateway started. */
  readonly restarts: number;
  readonly appsRunning: number;
}

/** The numbers at a glance on the overview page. */
export interface OverviewCounts {
  readonly users: number;
  readonly admins: number;
  readonly disabledUsers: number;
  readonly apps: number;
  readonly docs: number;
  readonly metrics: MetricsSample;
}

/**
 * The sandbox the gateway runs tenant workers in (`GET /api/v1/admin/sandbox`): its kind (`bwrap`, or `plain`,
 * which isolates nothing), the layers it set up, and what it could not set up.
 */
export interface SandboxStatus {
  readonly kind: string;
  readonly layers: readonly string[];
  readonly warnings: readonly string[];
}
