import { PlothostError } from "../../../shared/errors/catalogue.ts";
import type { AccountStore } from "./account-store.ts";

/** A 429 that knows when to retry; the HTTP layer turns `retryAfterS` into a `Retry-After` header. */
export class ThrottledError extends PlothostError {
  constructor(readonly retryAfterS: number) {
    super("too_many_attempts", `retry in ${retryAfterS} s`);
  }
}

export const FAILED_LOGIN = "login.failed";

/**
 * Pauses logins after `maxFailures` failed attempts for one username, or from one IP address, within
 * `windowMs` (5 in 15 minutes). Failures are audit events in the database, so every gateway sharing it sees
 * the same count and restarts forget nothing. A sliding window: a new attempt is allowed once the oldest of
 * the last `maxFailures` failures is older than the window. Throttled attempts are not counted again.
 */
export class LoginThrottle {
  constructor(
    private readonly store: AccountStore,
    private readonly opts: { maxFailures: number; windowMs: number; now: () => Date } = { maxFailures: 5, windowMs: 15 * 60_000, now: () => new Date() },
  ) {}

  /** @throws ThrottledError when either the username or the IP has used up its failures */
  async check(usernameKey: string, ip: string | null): Promise<void> {
    const now = this.opts.now();
    const since = new Date(now.getTime() - this.opts.windowMs);
    const lists = await Promise.all([
      this.store.recentEvents(FAILED_LOGIN, { target: usernameKey }, since, this.opts.maxFailures),
      ip ? this.store.recentEvents(FAILED_LOGIN, { ip }, since, this.opts.maxFailures) : Promise.resolve([]),
    ]);
    let retryAt = 0;
    for (const times of lists) {
      if (times.length < this.opts.maxFailures) continue;
      retryAt = Math.max(retryAt, times[times.length - 1].getTime() + this.opts.windowMs);
    }
    if (retryAt > 0) throw new ThrottledError(Math.max(1, Math.ceil((retryAt - now.getTime()) / 1000)));
  }

  async recordFailure(usernameKey: string, ip: string | null): Promise<void> {
    await this.store.audit({ actorId: null, actorName: null, action: FAILED_LOGIN, target: usernameKey, ip, at: this.opts.now() });
  }
}
