import type { EventEmitter } from "node:events";
import type { WorkerState } from "../worker-supervisor.ts";

/**
 * One worker of an app as a WorkerPool drives it: a local sandboxed process (WorkerSupervisor) or one on a runner
 * (gateway/src/runner/remote-worker.ts). `ready()` resolves with where its traffic goes: a Unix socket path or a
 * `runner://` target (gateway/src/runner/runner-protocol.ts).
 * Events: `state` (WorkerState), `exit` ({code, signal, reason}), `sessions` (count), `line` (each log line).
 */
export interface AppWorker extends EventEmitter {
  readonly state: WorkerState;
  /** The local process id; undefined for a worker on another host, or none running. */
  readonly pid: number | undefined;
  readonly sessions: ReadonlySet<string>;
  /** The runner it runs on (`--runners`); absent for a local worker. */
  readonly runnerId?: string | null;
  ready(): Promise<string>;
  /** Restores a saved (restorable) session this worker does not hold before it is reached; a runner does it there. */
  prepareSession?(sessionId: string): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
  /**
   * This gateway stops (shutdown, rolling restart) but the app goes on: a worker on a runner keeps serving the
   * sessions it holds (any gateway reaches them) and stops once idle; absent (a local worker): `close()`.
   */
  release?(): Promise<void>;
}
