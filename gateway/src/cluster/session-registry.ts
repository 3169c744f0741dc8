import { Redis } from "ioredis";

/**
 * Which worker socket holds each app session, shared by the gateway processes of one host (`--num-procs N`): the
 * process whose worker made a session registers it; a process that receives a WebSocket (or a request carrying
 * `bokeh-session-id`) for a session it does not hold looks the socket up here and proxies to it. Keys are
 * `<redis-prefix>session:<id>` with a TTL that the holder refreshes while the session lives, so a crashed process's
 * entries expire by themselves. Deliberately absent: other hosts (the socket is a local Unix socket path).
 */
export interface SessionRegistry {
  /** Whether this process's own workers hold the session (no Redis round trip). */
  holds(sessionId: string): boolean;
  register(sessionId: string, socketPath: string): void;
  unregister(sessionId: string): void;
  /**
   * The socket of the session's worker, or null. A session made a moment ago by another process may not be
   * registered yet (its worker's event and the Redis write race the client's next connection): a miss is retried
   * for up to `waitMs`.
   */
  lookup(sessionId: string, waitMs?: number): Promise<string | null>;
  close(): Promise<void>;
}

export interface RedisSessionRegistryOptions {
  url: string;
  /** The configured `--redis-prefix`. */
  prefix: string;
  /** Seconds an entry lives without a refresh. */
  ttlS?: number;
  /** How long a miss is retried by default. */
  waitMs?: number;
}

const POLL_MS = 10;

/** The Redis implementation; the only one (a single process needs no registry). */
export class RedisSessionRegistry implements SessionRegistry {
  private readonly redis: Redis;
  private readonly local = new Map<string, string>();
  private readonly ttlS: number;
  private readonly waitMs: number;
  private readonly refresher: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly opts: RedisSessionRegistryOptions) {
    this.redis = new Redis(opts.url, { maxRetriesPerRequest: 2 });
    this.redis.on("error", () => {});
    this.ttlS = opts.ttlS ?? 60;
    this.waitMs = opts.waitMs ?? 1000;
    this.refresher = setInterval(() => void this.refresh(), (this.ttlS * 1000) / 3);
    this.refresher.unref();
  }

  private key(id: string): string {
    return `${this.opts.prefix}session:${id}`;
  }

  holds(sessionId: string): boolean {
    return this.local.has(sessionId);
  }

  register(sessionId: string, socketPath: string): void {
    this.local.set(sessionId, socketPath);
    if (!this.closed) void this.redis.set(this.key(sessionId), socketPath, "EX", this.ttlS).catch(() => {});
  }

  unregister(sessionId: string): void {
    const socketPath = this.local.get(sessionId);
    if (!this.local.delete(sessionId) || this.closed) return;
    // Only our own entry: the id may since have been registered by another process.
    void this.redis.eval(
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
      1, this.key(sessionId), socketPath!,
    ).catch(() => {});
  }

  async lookup(sessionId: string, waitMs = this.waitMs): Promise<string | null> {
    const until = Date.now() + waitMs;
    for (;;) {
      const local = this.local.get(sessionId);
      if (local) return local;
      const found = await this.redis.get(this.key(sessionId)).catch(() => null);
      if (found || this.closed || Date.now() >= until) return found;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  private async refresh(): Promise<void> {
    if (this.closed || this.local.size === 0) return;
    const multi = this.redis.multi();
    for (const [id, socketPath] of this.local) multi.set(this.key(id), socketPath, "EX", this.ttlS);
    await multi.exec().catch(() => {});
  }

  async close(): Promise<void> {
    if (this.closed) return;
    clearInterval(this.refresher);
    // Sessions of a process that stops end with its workers: drop their entries now rather than at expiry.
    const ids = [...this.local.keys()];
    this.local.clear();
    this.closed = true;
    if (ids.length > 0) await this.redis.del(...ids.map((id) => this.key(id))).catch(() => {});
    this.redis.disconnect();
  }
}
