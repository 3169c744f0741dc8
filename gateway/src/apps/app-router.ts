import type http from "node:http";
import { parseSubprotocolHeader, sessionIdFromToken } from "../../../shared/protocol/index.ts";
import { LogRing } from "./log-ring.ts";
import type { WorkerPool } from "./worker-pool.ts";

/** What the proxy needs to reach an app: the socket of the worker for this request, once it is ready. */
export interface RouteTarget {
  ready(): Promise<string>;
}

const keyOf = (owner: string, name: string) => `${owner.toLowerCase()}/${name}`;

/** The session a request belongs to, if it says: `bokeh-session-id` (page, autoload.js) or the WebSocket's token. */
export function sessionIdOf(req: http.IncomingMessage): string | null {
  const url = new URL(req.url ?? "/", "http://gateway.invalid");
  const fromQuery = url.searchParams.get("bokeh-session-id") ?? req.headers["bokeh-session-id"];
  if (typeof fromQuery === "string" && fromQuery !== "") return fromQuery;
  if (req.headers["sec-websocket-protocol"] === undefined) return null;
  try {
    // Only to pick the worker: the worker itself checks the token (signature, expiry).
    return sessionIdFromToken(parseSubprotocolHeader(req.headers["sec-websocket-protocol"]).token);
  } catch {
    return null;
  }
}

/**
 * Deployed apps' traffic: `/<user>/<app>/...` goes to the worker pool of the app's current version. A deploy or
 * rollback replaces the pool in one step (`swap`), so every request after it reaches the new version. Each app
 * keeps one log for all its versions and workers.
 */
export class AppRouter {
  private readonly pools = new Map<string, WorkerPool>();
  private readonly logs = new Map<string, LogRing>();

  get(owner: string, name: string): WorkerPool | undefined {
    return this.pools.get(keyOf(owner, name));
  }

  /** Routes the app to `pool` from now on; returns the pool it replaces (the caller closes it). */
  swap(owner: string, name: string, pool: WorkerPool): WorkerPool | undefined {
    const key = keyOf(owner, name);
    const old = this.pools.get(key);
    this.pools.set(key, pool);
    return old;
  }

  /** Stops routing to the app; returns its pool (the caller closes it). */
  remove(owner: string, name: string): WorkerPool | undefined {
    const key = keyOf(owner, name);
    const old = this.pools.get(key);
    this.pools.delete(key);
    this.logs.delete(key);
    return old;
  }

  logFor(owner: string, name: string): LogRing {
    const key = keyOf(owner, name);
    let log = this.logs.get(key);
    if (!log) this.logs.set(key, (log = new LogRing(200)));
    return log;
  }

  /** For the proxy: the target serving `pathname`, sticky by the request's session; undefined when no app is there. */
  resolve(req: http.IncomingMessage, pathname: string): RouteTarget | undefined {
    const [, owner, name] = pathname.split("/");
    if (!owner || !name) return undefined;
    const pool = this.pools.get(keyOf(owner, name));
    if (!pool) return undefined;
    const sessionId = sessionIdOf(req);
    return { ready: () => pool.route(sessionId) };
  }

  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.close()));
  }
}
