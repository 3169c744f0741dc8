import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";

/** A change to which workers serve a deployed app, as one gateway process announces it to the others. */
export type AppChange = { readonly owner: string; readonly name: string } & (
  | { readonly kind: "swap"; readonly version: number }
  | { readonly kind: "remove" }
  | { readonly kind: "short-path"; readonly shortPath: string | null }
);

/**
 * Deploys, rollbacks, deletes and short paths, told to every gateway process of a `--num-procs N` cluster: a job runs
 * in one process (whichever took it from the queue), and the others must route the app the same way. Redis pub/sub
 * on `<redis-prefix>apps:changed`; a process does not hear its own announcements. Deliberately absent: replay of
 * changes missed while a process was down (a process reads every app from the database when it starts).
 */
export class RedisAppChanges {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly channel: string;
  private readonly origin = randomUUID();
  private closed = false;

  constructor(opts: { url: string; prefix: string }) {
    this.pub = new Redis(opts.url, { maxRetriesPerRequest: 2 });
    this.sub = new Redis(opts.url);
    for (const c of [this.pub, this.sub]) c.on("error", () => {});
    this.channel = `${opts.prefix}apps:changed`;
  }

  publish(change: AppChange): void {
    if (this.closed) return;
    void this.pub.publish(this.channel, JSON.stringify({ origin: this.origin, change })).catch(() => {});
  }

  /** Calls `listener` with every other process's change; resolves once subscribed. */
  async subscribe(listener: (change: AppChange) => void): Promise<void> {
    this.sub.on("message", (channel: string, raw: string) => {
      if (channel !== this.channel) return;
      try {
        const { origin, change } = JSON.parse(raw) as { origin: string; change: AppChange };
        if (origin !== this.origin) listener(change);
      } catch {
        // not ours
      }
    });
    await this.sub.subscribe(this.channel);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sub.disconnect();
    this.pub.disconnect();
  }
}
