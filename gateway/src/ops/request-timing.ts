import type { RequestHandler } from "express";

/** One answered HTTP request, timed from its arrival to the response's last byte. */
export interface RequestTiming {
  readonly method: string;
  readonly status: number;
  /** Whether it was proxied to an app worker. */
  readonly proxied: boolean;
  readonly ms: number;
}

/** Something that wants every request's timing (the admin overview, Prometheus). */
export type RequestSink = (t: RequestTiming) => void;

/** Express middleware, placed first: times every request once and tells each sink when it is answered. */
export function timeRequests(isProxied: (path: string) => boolean, sinks: readonly RequestSink[]): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    const proxied = isProxied(req.path);
    res.once("finish", () => {
      const t = { method: req.method, status: res.statusCode, proxied, ms: Number(process.hrtime.bigint() - start) / 1e6 };
      for (const sink of sinks) sink(t);
    });
    next();
  };
}
