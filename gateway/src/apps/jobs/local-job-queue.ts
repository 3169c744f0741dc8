import { randomUUID } from "node:crypto";
import { PermanentJobError, type JobContext, type JobHandler, type JobInfo, type JobQueue, type RetryPolicy } from "./job-queue.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
const KEPT_FINISHED = 1000;

/**
 * The job queue without Redis: jobs live in this process's memory (lost on restart), run one at a time in the
 * order added, retried with the same backoff as BullMQ's exponential strategy. For a single gateway and tests.
 */
export class LocalJobQueue implements JobQueue {
  readonly kind = "local";
  private readonly jobs = new Map<string, Mutable<JobInfo>>();
  private readonly waiting: string[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private handlers: Readonly<Record<string, JobHandler>> | null = null;
  private running: Promise<void> | null = null;
  private closed = false;

  constructor(private readonly retry: RetryPolicy) {}

  async start(handlers: Readonly<Record<string, JobHandler>>): Promise<void> {
    this.handlers = handlers;
    this.pump();
  }

  async add(name: string, data: Readonly<Record<string, unknown>>): Promise<JobInfo> {
    if (this.closed) throw new Error("the job queue is closed");
    const job: Mutable<JobInfo> = {
      id: randomUUID(), name, data: structuredClone(data), state: "queued", progress: 0, step: null, steps: [], attempts: 0,
      maxAttempts: this.retry.attempts, error: null, result: null, createdAt: new Date().toISOString(), finishedAt: null,
    };
    this.jobs.set(job.id, job);
    this.waiting.push(job.id);
    this.prune();
    const added = { ...job };
    this.pump();
    return added;
  }

  async depth(): Promise<number> {
    let n = 0;
    for (const job of this.jobs.values()) if (job.state === "queued" || job.state === "running") n++;
    return n;
  }

  async get(id: string): Promise<JobInfo | null> {
    const job = this.jobs.get(id);
    return job ? { ...job, steps: [...job.steps] } : null;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.running;
  }

  private pump(): void {
    if (this.running || this.closed || !this.handlers) return;
    const id = this.waiting.shift();
    if (id === undefined) return;
    this.running = this.run(this.jobs.get(id)!).finally(() => {
      this.running = null;
      this.pump();
    });
  }

  private async run(job: Mutable<JobInfo>): Promise<void> {
    job.state = "running";
    job.attempts += 1;
    const ctx: JobContext = {
      id: job.id, attempt: job.attempts, maxAttempts: job.maxAttempts,
      progress: async (percent, step) => {
        job.progress = percent;
        job.step = step;
        job.steps = [...job.steps, { step, progress: percent }];
      },
    };
    try {
      const handler = this.handlers?.[job.name];
      if (!handler) throw new PermanentJobError(`no handler for jobs named "${job.name}"`);
      job.result = (await handler(job.data, ctx)) ?? null;
      job.state = "done";
      job.progress = 100;
      job.error = null;
      job.finishedAt = new Date().toISOString();
    } catch (err) {
      job.error = (err as Error).message ?? String(err);
      if (err instanceof PermanentJobError || job.attempts >= job.maxAttempts || this.closed) {
        job.state = "failed";
        job.finishedAt = new Date().toISOString();
        return;
      }
      job.state = "queued";
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.waiting.push(job.id);
        this.pump();
      }, this.retry.backoffMs * 2 ** (job.attempts - 1));
      this.timers.add(timer);
    }
  }

  /** Forgets the oldest finished jobs beyond the last 1000. */
  private prune(): void {
    const finished = [...this.jobs.values()].filter((j) => j.state === "done" || j.state === "failed");
    for (const j of finished.slice(0, Math.max(0, finished.length - KEPT_FINISHED))) this.jobs.delete(j.id);
  }
}
