import { BullmqJobQueue } from "./bullmq-job-queue.ts";
import type { JobQueue, RetryPolicy } from "./job-queue.ts";
import { LocalJobQueue } from "./local-job-queue.ts";

/** Which queue to make: in-process, or BullMQ on Redis (`--job-queue redis`). */
export type JobQueueConfig =
  | { readonly kind: "local"; readonly retry: RetryPolicy }
  | {
    readonly kind: "redis"; readonly redisUrl: string; readonly prefix: string; readonly retry: RetryPolicy;
    /** The BullMQ queue's name: only workers of queues with this name take its jobs. */
    readonly name: string;
  };

/** The only place that chooses a job queue implementation. */
export function createJobQueue(config: JobQueueConfig): JobQueue {
  return config.kind === "redis"
    ? new BullmqJobQueue(config.redisUrl, config.prefix, config.retry, config.name)
    : new LocalJobQueue(config.retry);
}
