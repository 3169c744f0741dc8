import { AppRouter, type DrainPolicy } from "../apps/app-router.ts";
import type { WorkerPool } from "../apps/worker-pool.ts";
import type { AppChange, RedisAppChanges } from "./app-changes.ts";

/**
 * The deployed apps' router of one process in a `--num-procs N` cluster: every change made here (a deploy's swap,
 * a stop, a short path) is announced to the other processes, and `apply` makes theirs here without announcing
 * them again. A swap announced by another process starts no worker here: the pool's first request does.
 */
export class ClusterAppRouter extends AppRouter {
  constructor(drain: DrainPolicy, private readonly changes: RedisAppChanges) {
    super(drain);
  }

  override swap(owner: string, name: string, pool: WorkerPool): WorkerPool | undefined {
    const old = super.swap(owner, name, pool);
    if (pool.version !== null) this.changes.publish({ kind: "swap", owner, name, version: pool.version });
    return old;
  }

  override remove(owner: string, name: string): WorkerPool | undefined {
    const old = super.remove(owner, name);
    this.changes.publish({ kind: "remove", owner, name });
    return old;
  }

  override setShortPath(owner: string, name: string, shortPath: string | null): void {
    super.setShortPath(owner, name, shortPath);
    this.changes.publish({ kind: "short-path", owner, name, shortPath });
  }

  /** Another process's change; `makePool` builds this process's pool of a version (null: the version is gone). */
  async apply(change: AppChange, makePool: (owner: string, name: string, version: number) => Promise<WorkerPool | null>): Promise<void> {
    const { owner, name } = change;
    if (change.kind === "remove") return void (await super.remove(owner, name)?.close());
    if (change.kind === "short-path") return super.setShortPath(owner, name, change.shortPath);
    if (this.get(owner, name)?.version === change.version) return;
    const pool = await makePool(owner, name, change.version);
    if (pool) super.swap(owner, name, pool);
  }
}
