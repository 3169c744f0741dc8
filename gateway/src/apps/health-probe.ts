import { HEALTH_PATH } from "../../../shared/protocol/index.ts";
import { requestWorker } from "../worker-request.ts";

/** What a worker's health endpoint reports. */
export interface WorkerHealth {
  readonly ok: boolean;
  readonly sessions: number;
}

/**
 * Asks a worker over its Unix socket whether it still answers. Resolves null when it does not within `timeoutMs`
 * (a busy-looping app blocks its event loop, so this is how a hung worker shows) or answers with an error.
 */
export async function probeHealth(socketPath: string, timeoutMs: number): Promise<WorkerHealth | null> {
  try {
    const { status, body } = await requestWorker(socketPath, HEALTH_PATH, { timeoutMs });
    return status === 200 && body !== null && typeof body === "object" ? (body as WorkerHealth) : null;
  } catch {
    return null;
  }
}
