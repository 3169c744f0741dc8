/**
 * Readiness checks for `/readyz`: each names one dependency (the accounts database, Redis, the workers) and
 * resolves when it answers. A check that throws or takes longer than its bound makes the gateway not ready.
 */
export interface ReadinessCheck {
  readonly name: string;
  run(): Promise<void>;
}

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly ms: number;
  readonly error?: string;
}

/** Runs every check at once, each bounded by `timeoutMs`. */
export async function runChecks(checks: readonly ReadinessCheck[], timeoutMs: number): Promise<CheckResult[]> {
  return Promise.all(checks.map(async (check) => {
    const start = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        check.run(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return { name: check.name, ok: true, ms: Math.round(performance.now() - start) };
    } catch (err) {
      return { name: check.name, ok: false, ms: Math.round(performance.now() - start), error: (err as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }));
}
