import { createHmac, timingSafeEqual } from "node:crypto";

/** The header a gateway sends with every request to a runner: proof that it knows the shared secret. */
export const RUNNER_AUTH_HEADER = "x-plothost-runner-auth";
/** The header naming the worker a request is for. */
export const RUNNER_WORKER_HEADER = "x-plothost-worker";

/** How far a proof's clock may be from the runner's. */
const SKEW_MS = 60_000;

const mac = (secret: string, workerId: string, ts: string) => createHmac("sha256", secret).update(`plothost-runner\n${workerId}\n${ts}`).digest("hex");

/**
 * `v1.<unix ms>.<hex HMAC-SHA256(secret, worker id, time)>`: bound to one worker and to a minute either side of
 * now, so a proof seen on the wire neither reaches another worker nor works for long. The secret never travels.
 */
export function runnerAuth(secret: string, workerId: string, now = Date.now()): string {
  const ts = String(now);
  return `v1.${ts}.${mac(secret, workerId, ts)}`;
}

/** Whether `header` proves the secret for this worker, now (constant-time comparison). */
export function verifyRunnerAuth(secret: string, workerId: string, header: string | undefined, now = Date.now()): boolean {
  const m = /^v1\.(\d{1,16})\.([0-9a-f]{64})$/.exec(header ?? "");
  if (!m) return false;
  if (Math.abs(now - Number(m[1])) > SKEW_MS) return false;
  return timingSafeEqual(Buffer.from(mac(secret, workerId, m[1]!), "hex"), Buffer.from(m[2]!, "hex"));
}
