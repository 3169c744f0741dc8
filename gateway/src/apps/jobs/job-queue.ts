/**
 * Background jobs (deploy, stop, cleanup): the `JobQueue` contract, run by BullMQ on Redis (`bullmq-job-queue.ts`)
 * or in-process (`local-job-queue.ts`); `createJobQueue` is the only place that chooses. Both run the same
 * handlers, one job at a time, retry failures with exponential backoff, and keep each job's state for clients to
 * poll. Deliberately absent: priorities, cancellation, scheduling (no job needs them yet), and several gateways
 * sharing one queue (a job acts on the workers of the gateway that runs it).
 */

/** Where a job is: waiting (also between retries), being run, finished, or failed for good. */
export type JobState = "queued" | "running" | "done" | "failed";

/** A job as clients see it. */
export interface JobInfo {
  readonly id: string;
  /** The handler it runs (`deploy`, `stop`, `cleanup`). */
  readonly name: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly state: JobState;
  /** 0–100, and what the handler said it is doing. */
  readonly progress: number;
  readonly step: string | null;
  /**
   * Every step the handler reported, in order (across attempts), so a client polling now and then still sees each
   * one (a fast step may start and end between two polls).
   */
  readonly steps: readonly JobStep[];
  /** Attempts started so far, and how many it may have. */
  readonly attempts: number;
  readonly maxAttempts: number;
  /** The last failure's message (kept while a retry is queued), null when none. */
  readonly error: string | null;
  readonly result: unknown;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

/** One step a job's handler reported, with its progress then. */
export interface JobStep {
  readonly step: string;
  readonly progress: number;
}

/** What a handler gets besides its data. */
export interface JobContext {
  readonly id: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** Records progress (0–100) and the current step; clients see it in `JobInfo`. */
  progress(percent: number, step: string): Promise<void>;
}

export type JobHandler = (data: Readonly<Record<string, unknown>>, ctx: JobContext) => Promise<unknown>;

/** Thrown by a handler for a failure no retry can fix (a syntax error in the app): the job fails at once. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PermanentJobError";
  }
}

/** Retry policy: `attempts` in all, waiting `backoffMs`, then twice that, ... between them. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly backoffMs: number;
}

export interface JobQueue {
  readonly kind: "local" | "bullmq";
  /** Starts running jobs, each with the handler named like it. Call once, before or after adding jobs. */
  start(handlers: Readonly<Record<string, JobHandler>>): Promise<void>;
  /** Queues a job; resolves once it is stored (not run). */
  add(name: string, data: Readonly<Record<string, unknown>>): Promise<JobInfo>;
  /** A job's current state, or null when unknown (never existed, or pruned: the last 1000 finished are kept). */
  get(id: string): Promise<JobInfo | null>;
  /** Jobs waiting (also between retries) or running now, for `/metrics`. */
  depth(): Promise<number>;
  /** Stops taking jobs and waits for the running one to finish. */
  close(): Promise<void>;
}
