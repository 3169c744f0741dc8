/**
 * The JobQueue contract, run against every implementation (local.test.ts, bullmq.test.ts): what the deploy API
 * relies on — jobs run one at a time with their handler, progress and state are visible while they run, failures
 * are retried with backoff and then reported with their error, and permanent failures are not retried.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PermanentJobError, type JobInfo, type JobQueue, type RetryPolicy } from "../../../gateway/src/apps/jobs/job-queue.ts";

/** Resolves when `get` reports a state matching `done` (bounded; jobs report through their queue's store). */
export async function until(queue: JobQueue, id: string, done: (j: JobInfo) => boolean, timeoutMs = 10_000): Promise<JobInfo> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await queue.get(id);
    if (job && done(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} did not get there in ${timeoutMs} ms: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const deferred = <T = void>() => {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
};

export function jobQueueContract(name: string, make: (retry: RetryPolicy) => Promise<{ queue: JobQueue; cleanup(): Promise<void> }>): void {
  describe(`JobQueue contract: ${name}`, () => {
    let queue: JobQueue;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ queue, cleanup } = await make({ attempts: 3, backoffMs: 20 }));
    });
    afterEach(async () => {
      await queue.close();
      await cleanup();
    });

    it("runs a job with its handler and shows progress while it runs, then the result", async () => {
      const reached = deferred();
      const release = deferred();
      await queue.start({
        work: async (data, ctx) => {
          await ctx.progress(50, "halfway");
          reached.resolve();
          await release.promise;
          return { doubled: (data.n as number) * 2 };
        },
      });
      const added = await queue.add("work", { n: 21 });
      expect(added).toMatchObject({ name: "work", state: "queued", data: { n: 21 }, maxAttempts: 3 });
      await reached.promise;
      expect(await queue.get(added.id)).toMatchObject({ state: "running", progress: 50, step: "halfway", attempts: 1 });
      release.resolve();
      const done = await until(queue, added.id, (j) => j.state === "done");
      expect(done).toMatchObject({ result: { doubled: 42 }, progress: 100, error: null });
      expect(done.finishedAt).not.toBeNull();
    });

    it("keeps every step a job reported, in order and across attempts, for clients that poll now and then", async () => {
      await queue.start({
        steps: async (_data, ctx) => {
          await ctx.progress(10, "unpacking");
          await ctx.progress(40, "compiling");
          if (ctx.attempt < 2) throw new Error("transient trouble");
          await ctx.progress(90, "switching");
          return null;
        },
      });
      const job = await queue.add("steps", {});
      expect(job.steps).toEqual([]);
      const done = await until(queue, job.id, (j) => j.state === "done");
      expect(done.steps).toEqual([
        { step: "unpacking", progress: 10 }, { step: "compiling", progress: 40 },
        { step: "unpacking", progress: 10 }, { step: "compiling", progress: 40 }, { step: "switching", progress: 90 },
      ]);
    });

    it("retries a failing job with backoff until it succeeds", async () => {
      const attempts: number[] = [];
      await queue.start({
        flaky: async (_data, ctx) => {
          attempts.push(ctx.attempt);
          if (ctx.attempt < 2) throw new Error("transient trouble");
          return "ok";
        },
      });
      const job = await queue.add("flaky", {});
      const done = await until(queue, job.id, (j) => j.state === "done");
      expect(attempts).toEqual([1, 2]);
      expect(done.result).toBe("ok");
    });

    it("reports a job that fails every attempt as failed, with its error", async () => {
      let runs = 0;
      await queue.start({
        broken: async () => {
          runs++;
          throw new Error("it is broken");
        },
      });
      const job = await queue.add("broken", {});
      const failed = await until(queue, job.id, (j) => j.state === "failed");
      expect(failed.error).toContain("it is broken");
      expect(runs).toBe(3);
    });

    it("does not retry a permanent failure", async () => {
      let runs = 0;
      await queue.start({
        syntax: async () => {
          runs++;
          throw new PermanentJobError("main.ts:1:5: Unexpected token");
        },
      });
      const job = await queue.add("syntax", {});
      const failed = await until(queue, job.id, (j) => j.state === "failed");
      expect(failed.error).toContain("Unexpected token");
      expect(runs).toBe(1);
    });

    it("runs jobs one at a time, in the order added", async () => {
      const log: string[] = [];
      await queue.start({
        step: async (data) => {
          log.push(`start ${data.i}`);
          await new Promise((r) => setImmediate(r));
          log.push(`end ${data.i}`);
        },
      });
      const jobs = [];
      for (const i of [1, 2, 3]) jobs.push(await queue.add("step", { i }));
      for (const j of jobs) await until(queue, j.id, (x) => x.state === "done");
      expect(log).toEqual(["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]);
    });

    it("counts jobs waiting or running as its depth, and none once they finished", async () => {
      const release = deferred();
      const reached = deferred();
      await queue.start({
        hold: async () => {
          reached.resolve();
          await release.promise;
        },
      });
      expect(await queue.depth()).toBe(0);
      const first = await queue.add("hold", {});
      const second = await queue.add("hold", {});
      await reached.promise;
      expect(await queue.depth()).toBe(2);
      release.resolve();
      await until(queue, first.id, (j) => j.state === "done");
      await until(queue, second.id, (j) => j.state === "done");
      expect(await queue.depth()).toBe(0);
    });

    it("knows nothing of an unknown id", async () => {
      await queue.start({});
      expect(await queue.get("no-such-job")).toBeNull();
    });
  });
}
