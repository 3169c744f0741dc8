import http from "node:http";
import { HEALTH_PATH } from "../../../shared/protocol/index.ts";

/** What a worker's health endpoint reports. */
export interface WorkerHealth {
  readonly ok: boolean;
  readonly sessions: number;
}

/**
 * Asks a worker over its Unix socket whether it still answers. Resolves null when it does not within `timeoutMs`
 * (a busy-looping app blocks its event loop, so this is how a hung worker shows) or answers with an error.
 */
export function probeHealth(socketPath: string, timeoutMs: number): Promise<WorkerHealth | null> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: HEALTH_PATH, timeout: timeoutMs, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => {
        try {
          resolve(res.statusCode === 200 ? (JSON.parse(body) as WorkerHealth) : null);
        } catch {
          resolve(null);
        }
      });
      res.on("error", () => resolve(null));
    });
    req.on("timeout", () => req.destroy(new Error("health check timed out")));
    req.on("error", () => resolve(null));
  });
}
