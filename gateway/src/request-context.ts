import { randomUUID } from "node:crypto";
import type { Request, Response, NextFunction } from "express";
import type { Logger } from "../../shared/logging/create-logger.ts";

const VALID_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Gives every request an id (kept from a sane incoming `x-request-id`, else new), forwards it to the worker so
 * both logs share it, and logs one line per finished request.
 */
export function requestContext(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.headers["x-request-id"];
    const id = typeof incoming === "string" && VALID_ID.test(incoming) ? incoming : randomUUID();
    req.headers["x-request-id"] = id;
    res.setHeader("x-request-id", id);
    const start = process.hrtime.bigint();
    res.on("finish", () => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      logger.info({ reqId: id, method: req.method, path: redactSecrets(req.path), status: res.statusCode, ms: Math.round(ms * 10) / 10 }, "request");
    });
    next();
  };
}

/** Share-link secrets travel in paths (`/s/phs_...`): keep only their first characters in logs. */
export function redactSecrets(path: string): string {
  return path.replace(/\/s\/(phs_[A-Za-z0-9_-]{6})[A-Za-z0-9_-]*/g, "/s/$1…");
}
