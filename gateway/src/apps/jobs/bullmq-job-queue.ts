import { Queue, Worker, UnrecoverableError, type Job } from "bullmq";
import { Redis } from "ioredis";
import { PermanentJobError, type JobHandler, type JobStep, type JobInfo, type JobQueue, type JobState, type RetryPolicy } from "./job-queue.ts";

const KEPT_FINISHED = 1000;

type Progress = { percent: number; step: string | null; steps?: JobStep[] };

/** BullMQ's job states in the four clients see; `delayed` is a retry waiting out its backoff. */
function stateOf(s: string): JobState {
  if (s === "active") return "running";
  if (s === "completed") return "done";
  if (s === "failed") return "failed";
  return "queued";
}

/**
 * The job queue on Redis with BullMQ: jobs survive a gateway restart and their state is readable from Redis.
 * One BullMQ `Worker` per gateway runs them one at a time; `UnrecoverableError` makes a permanent failure skip
 * its retries. Keys live under `prefix` (tests use a unique one and delete it afterwards).
 */
export class BullmqJobQueue implements JobQueue {
  readonly kind = "bullmq";
  private readonly connection: Redis;
  private readonly queue: Queue;
  private worker: Worker | null = null;

  constructor(redisUrl: string, private readonly prefix: string, private readonly retry: RetryPolicy, private readonly name = "apps") {
    // BullMQ needs maxRetriesPerRequest: null for its blocking worker connection (it duplicates this one).
    this.connection = new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
    this.queue = new Queue(name, { connection: this.connection, prefix });
    // Redis going away is retried by ioredis and reported by /readyz; unhandled, each retry would print a stack.
    this.connection.on("error", () => {});
    this.queue.on("error", () => {});
  }

  async start(handlers: Readonly<Record<string, JobHandler>>): Promise<void> {
    this.worker = new Worker(this.name, async (job: Job) => {
      const handler = handlers[job.name];
      if (!handler) throw new UnrecoverableError(`no handler for jobs named "${job.name}"`);
      // The steps of earlier attempts are kept: they are in the job's stored progress.
      const prior = job.progress as Progress | number | undefined;
      const steps: JobStep[] = typeof prior === "object" ? [...(prior.steps ?? [])] : [];
      try {
        return (await handler(job.data as Record<string, unknown>, {
          id: String(job.id), attempt: job.attemptsMade + 1, maxAttempts: job.opts.attempts ?? 1,
          progress: (percent, step) => {
            steps.push({ step, progress: percent });
            return job.updateProgress({ percent, step, steps } satisfies Progress);
          },
        })) ?? null;
      } catch (err) {
        if (err instanceof PermanentJobError) throw new UnrecoverableError(err.message);
        throw err;
      }
    }, { connection: this.connection, prefix: this.prefix, concurrency: 1 });
    this.worker.on("error", () => {}); // connection trouble is retried by ioredis; jobs report their own failures
    await this.worker.waitUntilReady();
  }

  async add(name: string, data: Readonly<Record<string, unknown>>): Promise<JobInfo> {
    const job = await this.queue.add(name, data, {
      attempts: this.retry.attempts, backoff: { type: "exponential", delay: this.retry.backoffMs },
      removeOnComplete: { count: KEPT_FINISHED }, removeOnFail: { count: KEPT_FINISHED },
    });
    return this.info(job, "waiting");
  }

  async depth(): Promise<number> {
    return this.queue.getJobCountByTypes("waiting", "delayed", "prioritized", "waiting-children", "active");
  }

  async get(id: string): Promise<JobInfo | null> {
    // State first: a job read before it finished must not be reported with a later state (and no result).
    const state = await this.queue.getJobState(id);
    const job = await this.queue.getJob(id);
    if (!job || state === "unknown") return null;
    return this.info(job, state);
  }

  async close(): Promise<void> {
    // With Redis unreachable a graceful close would wait for a reconnection that may never come: force it, and
    // bound it (a job cut short stays in Redis and BullMQ runs it again once a worker is back).
    const reachable = this.connection.status === "ready";
    const bounded = (p: Promise<unknown>) => {
      let timer: NodeJS.Timeout | undefined;
      return Promise.race([p.catch(() => {}), new Promise((resolve) => { timer = setTimeout(resolve, reachable ? 10_000 : 1000); })])
        .finally(() => clearTimeout(timer));
    };
    if (this.worker) await bounded(this.worker.close(!reachable));
    await bounded(this.queue.close());
    this.connection.disconnect();
  }

  private info(job: Job, state: string): JobInfo {
    const p = job.progress as Progress | number | undefined;
    const progress = typeof p === "number" ? { percent: p, step: null, steps: [] } : { percent: p?.percent ?? 0, step: p?.step ?? null, steps: p?.steps ?? [] };
    const s = stateOf(state);
    return {
      id: String(job.id), name: job.name, data: job.data as Record<string, unknown>, state: s,
      progress: s === "done" ? 100 : progress.percent, step: progress.step, steps: progress.steps,
      attempts: job.attemptsMade + (s === "running" ? 1 : 0), maxAttempts: job.opts.attempts ?? 1,
      error: job.failedReason || null, result: job.returnvalue ?? null,
      createdAt: new Date(job.timestamp).toISOString(), finishedAt: job.finishedOn ? new Date(job.finishedOn).toISOString() : null,
    };
  }
}
