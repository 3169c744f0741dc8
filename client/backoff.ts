/** How retries wait: exponential from `baseMs`, capped at `maxMs`, with jitter so clients do not retry in step. */
export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** The wait before retry number `attempt` (0-based): a random time between half and all of `base * 2^attempt`. */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const full = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(full / 2 + Math.random() * (full / 2));
}

/** Waits `ms` (a retry's back-off; never used to synchronise with anything). Rejects early if `signal` aborts. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
