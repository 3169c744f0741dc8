import type http from "node:http";

/** The HTTP requests a server is answering, so a graceful stop can let them finish before cutting connections. */
export interface InFlightRequests {
  /** How many requests are being answered now. */
  readonly count: number;
  /**
   * From now on every response says `Connection: close` (a keep-alive client opens its next request elsewhere);
   * resolves once no request is in flight, or with false after `timeoutMs` (a streaming response such as a
   * followed log never ends on its own: the caller cuts it).
   */
  settle(timeoutMs: number): Promise<boolean>;
}

/**
 * Counts `server`'s requests from arrival until their response is sent or their connection closes. Why: a graceful
 * stop that cut an in-flight request would leave its client unsure whether the write happened (it retries, and the
 * write may land twice); one that lets it finish answers every write it took.
 */
export function trackInFlight(server: http.Server): InFlightRequests {
  const answering = new Set<http.ServerResponse>();
  let closing = false;
  const idle = new Set<() => void>();
  server.on("request", (_req: http.IncomingMessage, res: http.ServerResponse) => {
    answering.add(res);
    if (closing) res.shouldKeepAlive = false;
    res.once("close", () => {
      answering.delete(res);
      if (answering.size === 0) for (const done of idle) done();
    });
  });
  return {
    get count() {
      return answering.size;
    },
    settle: (timeoutMs) => {
      closing = true;
      for (const res of answering) if (!res.headersSent) res.shouldKeepAlive = false;
      const count = answering.size;
      if (count === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          idle.delete(done);
          resolve(answering.size === 0);
        };
        const timer = setTimeout(done, timeoutMs);
        idle.add(done);
      });
    },
  };
}
