import { Redis } from "ioredis";
import type { DocJson } from "../../../shared/index.ts";
import { changesAfter, DEFAULT_SNAPSHOT_TTL_S, type SavedChanges, type SavedSession, type SessionSnapshots } from "./session-snapshots.ts";

export interface RedisSessionSnapshotsOptions {
  url: string;
  /** The configured `--redis-prefix`. */
  prefix: string;
  /** Seconds saved state lives after its last write (default a day). */
  ttlS?: number;
}

/**
 * Saved sessions in Redis, shared by every gateway process and host: `<prefix>appsession:<appKey>:<sessionId>` holds
 * the snapshot (JSON) and `...:log` the change log (a list of JSON batches). Each write refreshes both keys' TTL;
 * a snapshot and the log reset it replaces are one MULTI, so a reader never sees a new snapshot with an old log.
 */
export class RedisSessionSnapshots implements SessionSnapshots {
  private readonly redis: Redis;
  private readonly ttlS: number;

  constructor(private readonly opts: RedisSessionSnapshotsOptions) {
    this.redis = new Redis(opts.url, { maxRetriesPerRequest: 2 });
    this.redis.on("error", () => {});
    this.ttlS = opts.ttlS ?? DEFAULT_SNAPSHOT_TTL_S;
  }

  private key(appKey: string, sessionId: string): string {
    return `${this.opts.prefix}appsession:${appKey}:${sessionId}`;
  }

  async saveSnapshot(appKey: string, sessionId: string, seq: number, doc: DocJson): Promise<void> {
    const key = this.key(appKey, sessionId);
    await this.redis.multi().set(key, JSON.stringify({ seq, doc }), "EX", this.ttlS).del(`${key}:log`).exec().then(failed);
  }

  async appendChanges(appKey: string, sessionId: string, seq: number, events: unknown[]): Promise<void> {
    const key = this.key(appKey, sessionId);
    await this.redis.multi()
      .rpush(`${key}:log`, JSON.stringify({ seq, events }))
      .expire(`${key}:log`, this.ttlS)
      .expire(key, this.ttlS)
      .exec().then(failed);
  }

  async load(appKey: string, sessionId: string): Promise<SavedSession | null> {
    const key = this.key(appKey, sessionId);
    const replies = await this.redis.multi().get(key).lrange(`${key}:log`, 0, -1).exec().then(failed);
    const snapshotText = replies[0][1] as string | null;
    if (snapshotText === null) return null;
    const snapshot = JSON.parse(snapshotText) as { seq: number; doc: DocJson };
    const log = (replies[1][1] as string[]).map((s) => JSON.parse(s) as SavedChanges);
    return { snapshot, changes: changesAfter(snapshot.seq, log) };
  }

  async delete(appKey: string, sessionId: string): Promise<void> {
    const key = this.key(appKey, sessionId);
    await this.redis.del(key, `${key}:log`);
  }

  async close(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}

/** The replies of a MULTI, or its first error thrown. */
function failed(replies: Array<[Error | null, unknown]> | null): Array<[Error | null, unknown]> {
  if (!replies) throw new Error("redis transaction aborted");
  for (const [err] of replies) if (err) throw err;
  return replies;
}
