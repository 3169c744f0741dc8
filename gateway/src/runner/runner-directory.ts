import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "../../../shared/logging/create-logger.ts";
import { publishAppFiles } from "./app-files.ts";
import {
  parseRunnerEvent, runnerEventsChannel, runnerKey, runnerQueueName, runnersSetKey,
  type RunnerEvent, type RunnerInfo, type StartWorkerJob, type StopWorkerJob,
} from "./runner-protocol.ts";

/** What the directory tells a placed worker: its runner's events, and that its runner is gone. */
export interface RunnerListener {
  onRunnerEvent(e: RunnerEvent): void;
  onRunnerLost(runnerId: string): void;
}

/**
 * A gateway's view of the runners: which are alive (their registration renewed within 3 heartbeats; read every
 * heartbeat), placement on the one running the fewest workers, the BullMQ jobs that start and stop workers there,
 * and the runners' events dispatched to the workers placed from here. A runner whose registration expires (killed,
 * host down) is dropped and its workers told (`onRunnerLost`): their sessions are lost, and they place themselves
 * again elsewhere.
 */
export class RunnerDirectory {
  private readonly redis: Redis;
  private readonly sub: Redis;
  /** The live runners' job queues, on one connection shared by all (a lost runner's queue is closed). */
  private readonly queues = new Map<string, Queue>();
  private readonly jobs: Redis;
  private readonly listeners = new Map<string, { runnerId: string; listener: RunnerListener }>();
  private live = new Map<string, RunnerInfo>();
  /** Workers placed from here, by id → runner: those a runner does not list yet count on top of its `workers`. */
  private readonly placed = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private readonly changed = new Set<() => void>();
  private closed = false;

  constructor(private readonly opts: { redisUrl: string; prefix: string; jobQueuePrefix: string; heartbeatMs: number; logger: Logger }) {
    this.redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 2 });
    this.sub = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
    this.jobs = new Redis(opts.redisUrl, { maxRetriesPerRequest: null });
    for (const r of [this.redis, this.sub, this.jobs]) r.on("error", () => {});
  }

  async start(): Promise<void> {
    this.sub.on("message", (_channel: string, raw: string) => this.dispatch(raw));
    await this.sub.subscribe(runnerEventsChannel(this.opts.prefix));
    await this.poll();
    const tick = () => {
      this.timer = setTimeout(() => void this.poll().finally(() => {
        if (!this.closed) tick();
      }), this.opts.heartbeatMs);
      this.timer.unref();
    };
    tick();
  }

  /** The runners alive at the last look. */
  runners(): RunnerInfo[] {
    return [...this.live.values()];
  }

  isLive(runnerId: string): boolean {
    return this.live.has(runnerId);
  }

  /**
   * The live runner with the fewest workers (waiting up to `waitMs` for one to register), or null; counts the
   * placement of `workerId` there until the runner lists it (so a burst of placements spreads out).
   */
  async pick(workerId: string, waitMs: number): Promise<RunnerInfo | null> {
    const until = Date.now() + waitMs;
    while (this.live.size === 0 && !this.closed && Date.now() < until) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, Math.max(1, until - Date.now()));
        function done() {
          clearTimeout(t);
          resolve();
        }
        this.changed.add(done);
      });
    }
    const pending = new Map<string, number>();
    for (const [w, r] of this.placed) {
      if (!(this.live.get(r)?.workerIds ?? []).includes(w)) pending.set(r, (pending.get(r) ?? 0) + 1);
    }
    const load = (r: RunnerInfo) => r.workers + (pending.get(r.id) ?? 0);
    const best = [...this.live.values()].sort((a, b) => load(a) - load(b) || a.id.localeCompare(b.id))[0];
    if (best) this.placed.set(workerId, best.id);
    return best ?? null;
  }

  /** Routes the runner's events about `workerId` to `listener` (and its loss), until `detach`. */
  attach(workerId: string, runnerId: string, listener: RunnerListener): void {
    this.listeners.set(workerId, { runnerId, listener });
  }

  detach(workerId: string): void {
    this.listeners.delete(workerId);
    this.placed.delete(workerId);
  }

  /** Puts the version's archive where runners read it (once; later calls renew its expiry). */
  publishFiles(key: string, archiveFile: string): Promise<void> {
    return publishAppFiles(this.redis, key, archiveFile);
  }

  async startWorker(runnerId: string, job: StartWorkerJob): Promise<void> {
    await this.queue(runnerId).add("start-worker", job, { removeOnComplete: true, removeOnFail: 100 });
  }

  /** Asks the runner to stop a worker; a runner that is gone has nothing to stop. */
  async stopWorker(runnerId: string, job: StopWorkerJob): Promise<void> {
    if (!this.live.has(runnerId)) return;
    await this.queue(runnerId).add("stop-worker", job, { removeOnComplete: true, removeOnFail: 100 });
  }

  async releaseWorker(runnerId: string, job: StopWorkerJob): Promise<void> {
    if (!this.live.has(runnerId)) return;
    await this.queue(runnerId).add("release-worker", job, { removeOnComplete: true, removeOnFail: 100 });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const f of this.changed) f();
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => {})));
    this.jobs.disconnect();
    this.redis.disconnect();
    this.sub.disconnect();
  }

  private queue(runnerId: string): Queue {
    let q = this.queues.get(runnerId);
    if (!q) {
      q = new Queue(runnerQueueName(runnerId), { connection: this.jobs, prefix: this.opts.jobQueuePrefix });
      q.on("error", () => {});
      this.queues.set(runnerId, q);
    }
    return q;
  }

  private dispatch(raw: string): void {
    const e = parseRunnerEvent(raw);
    if (!e) return;
    if (e.type === "runner-stopped") return this.lose(e.runner, "it stopped");
    this.listeners.get(e.worker)?.listener.onRunnerEvent(e);
  }

  /** Reads the registered runners now (it does every heartbeat); those whose registration expired are dropped. */
  refresh(): Promise<void> {
    return this.poll();
  }

  /** Reads the registered runners; those whose registration expired are dropped (and their workers told). */
  private async poll(): Promise<void> {
    try {
      const ids = await this.redis.smembers(runnersSetKey(this.opts.prefix));
      const raw = ids.length > 0 ? await this.redis.mget(...ids.map((id) => runnerKey(this.opts.prefix, id))) : [];
      const next = new Map<string, RunnerInfo>();
      const expired: string[] = [];
      ids.forEach((id, i) => {
        const v = raw[i];
        if (!v) return void expired.push(id);
        try {
          next.set(id, JSON.parse(v) as RunnerInfo);
        } catch {
          expired.push(id);
        }
      });
      if (expired.length > 0) await this.redis.srem(runnersSetKey(this.opts.prefix), ...expired);
      for (const id of [...this.live.keys()]) if (!next.has(id)) this.lose(id, "its heartbeat stopped");
      const before = this.live;
      this.live = next;
      // Placements the runners now list count through their `workers`; those on runners gone are forgotten.
      for (const [w, r] of [...this.placed]) if (!next.has(r) || next.get(r)!.workerIds?.includes(w)) this.placed.delete(w);
      for (const id of next.keys()) if (!before.has(id)) this.opts.logger.info({ runner: id, address: next.get(id)!.address }, "runner joined");
      for (const f of [...this.changed]) f();
      this.changed.clear();
    } catch (err) {
      // Redis unreachable: keep the last view (readiness reports Redis), try again next beat.
      this.opts.logger.warn({ err }, "could not read the runners from Redis");
    }
  }

  private lose(runnerId: string, why: string): void {
    if (this.live.delete(runnerId)) this.opts.logger.warn({ runner: runnerId, why }, "runner lost");
    void this.queues.get(runnerId)?.close().catch(() => {});
    this.queues.delete(runnerId);
    for (const [workerId, { runnerId: r, listener }] of [...this.listeners]) {
      if (r !== runnerId) continue;
      this.listeners.delete(workerId);
      listener.onRunnerLost(runnerId);
    }
  }
}
