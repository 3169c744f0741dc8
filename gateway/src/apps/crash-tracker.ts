/** Delay before restarting after the n-th crash in a row: `baseMs`, then doubling, capped at `maxMs`. */
export const restartDelayMs = (attempt: number, baseMs = 1000, maxMs = 60_000): number =>
  Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));

/** The crash policy of one app: exponential restart backoff, and `crashed` after too many crashes too quickly. */
export interface CrashPolicy {
  /** This many crashes within `windowMs` mark the app crashed (5). */
  readonly limit: number;
  /** 5 minutes. */
  readonly windowMs: number;
  /** First restart delay (1 s); each further crash in the window doubles it. */
  readonly backoffMs: number;
  /** Longest restart delay (60 s). */
  readonly backoffMaxMs: number;
}

/**
 * Counts an app's worker crashes (exits it did not ask for, failed starts, kills of hung workers) in a sliding
 * window. Shared by all workers of one app, so a crash loop is noticed whichever worker crashes. A crashed app
 * stays crashed until `reset()` (a new deploy or rollback makes a new tracker).
 */
export class CrashTracker {
  private times: number[] = [];
  private _crashed = false;

  constructor(readonly policy: CrashPolicy, private readonly now: () => number = Date.now) {}

  get crashed(): boolean {
    return this._crashed;
  }

  /** Crashes within the window, as of now. */
  get recent(): number {
    const since = this.now() - this.policy.windowMs;
    this.times = this.times.filter((t) => t > since);
    return this.times.length;
  }

  /** Records a crash; returns how long to wait before restarting, or null when the app is now crashed. */
  record(): number | null {
    this.times.push(this.now());
    const n = this.recent;
    if (n >= this.policy.limit) {
      this._crashed = true;
      return null;
    }
    return restartDelayMs(n, this.policy.backoffMs, this.policy.backoffMaxMs);
  }

  reset(): void {
    this.times = [];
    this._crashed = false;
  }
}
