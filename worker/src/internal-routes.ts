import type http from "node:http";
import { PERSISTED_PATH, RESTORE_PATH, type RestoreRequest } from "../../shared/protocol/worker-http.ts";
import { ERROR_CATALOGUE, type ErrorCode } from "../../shared/errors/catalogue.ts";
import type { Logger } from "../../shared/logging/create-logger.ts";
import { SessionCreationError, type SessionRegistry } from "./session-registry.ts";
import type { SessionJournal } from "./session-journal.ts";

/** A saved session can be large (its data inline): bounded, but well above one protocol message. */
const MAX_BODY_BYTES = 512 * 1024 * 1024;

/**
 * The supervisor's endpoints for restorable sessions, on the worker's socket only (outside the app prefix, so the
 * gateway never proxies them): `POST PERSISTED_PATH {id, seq}` confirms a session's changes saved up to `seq`;
 * `POST RESTORE_PATH {id, snapshot, changes}` re-creates a session from saved state. Returns false for other paths.
 */
export function internalRoutes(deps: { sessions: SessionRegistry; journal: SessionJournal | null; logger: Logger }) {
  return (req: http.IncomingMessage, res: http.ServerResponse, pathname: string): boolean => {
    if (pathname !== PERSISTED_PATH && pathname !== RESTORE_PATH) return false;
    if (req.method !== "POST") {
      sendError(res, "not_found", `${pathname} takes POST`);
      return true;
    }
    readJson(req).then(async (body) => {
      if (pathname === PERSISTED_PATH) {
        const { id, seq } = (body ?? {}) as { id?: unknown; seq?: unknown };
        if (typeof id !== "string" || typeof seq !== "number") return sendError(res, "bad_request", "expected {id, seq}");
        deps.journal?.confirm(id, seq);
        return sendJson(res, 200, { ok: true });
      }
      if (!deps.journal) return sendError(res, "bad_request", "this app's sessions are not restorable");
      if (!isRestoreRequest(body)) return sendError(res, "bad_request", "expected {id, snapshot: {seq, doc}, changes: [{seq, events}]}");
      try {
        await deps.sessions.restore(body);
        sendJson(res, 200, { ok: true, id: body.id });
      } catch (err) {
        if (!(err instanceof SessionCreationError)) throw err;
        sendError(res, "app_session_failed", (err.cause as Error | undefined)?.message);
      }
    }).catch((err: Error) => {
      deps.logger.error({ err, path: pathname }, "internal request failed");
      if (!res.headersSent) sendError(res, "bad_request", err.message);
      else res.destroy();
    });
    return true;
  };
}

function isRestoreRequest(b: unknown): b is RestoreRequest {
  const r = b as Partial<RestoreRequest> | null;
  return typeof r?.id === "string" && r.id !== "" && typeof r.snapshot?.seq === "number"
    && r.snapshot.doc !== null && typeof r.snapshot.doc === "object" && Array.isArray(r.changes)
    && r.changes.every((c) => typeof c?.seq === "number" && Array.isArray(c.events));
}

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on("end", () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        reject(new Error("body is not JSON"));
      }
    });
    req.on("error", reject);
  });
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function sendError(res: http.ServerResponse, code: ErrorCode, detail?: string): void {
  const entry = ERROR_CATALOGUE[code];
  sendJson(res, entry.status, { error: { code, message: detail ? `${entry.message} (${detail})` : entry.message } });
}
