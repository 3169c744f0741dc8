import type http from "node:http";
import { isServedPageToken, parseSubprotocolHeader, sessionIdFromToken } from "../../../shared/protocol/index.ts";
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
 * Whether a session the registry does not know yet may be about to appear there (worth waiting for briefly): a
 * WebSocket whose token the server minted for a page it served (the page's worker, perhaps another process's or
 * runner's, made the session a moment ago), or a request naming a session id. A WebSocket with a token a client
 * minted for an id of its own (bokeh.client's `pull_session`) opens a new session: no wait.
 */
export function mayBeRegistering(req: http.IncomingMessage): boolean {
  const protocol = req.headers["sec-websocket-protocol"];
  if (protocol === undefined) return true;
  try {
    return isServedPageToken(parseSubprotocolHeader(protocol).token);
  } catch {
    return false;
  }
}

/** How long a replaced version may keep draining its sessions, at most. */
export interface DrainPolicy {
  /** After this long the old version's workers stop even with sessions open (0: at once). */
  readonly maxMs: number;
}

/**
 * Deployed apps' traffic: `/<user>/<app>/...` (or `/<shortPath>/...`) goes to the worker pool of the app's current
 * version. A deploy or rollback replaces the pool in one step (`swap`): every new session after it reaches the
 * new version, while the sessions the old version's workers hold stay there (their page, autoload.js and WebSocket,
 * reconnects included) until they end; the old pool is closed when its last session ends, or after
 * `drain.maxMs`. Each app keeps one log for all its versions and workers.
 */
export class AppRouter {
  private readonly pools = new Map<string, WorkerPool>();
  private readonly draining = new Map<string, Set<WorkerPool>>();
  private readonly logs = new Map<string, LogRing>();
  /** shortPath → app key, and the app's owner and name as the URL needs them. */
  private readonly shortPaths = new Map<string, { key: string; owner: string; name: string }>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly drain: DrainPolicy = { maxMs: 0 }) {}

  get(owner: string, name: string): WorkerPool | undefined {
    return this.pools.get(keyOf(owner, name));
  }

  /**
   * Routes the app's new sessions to `pool` from now on; the pool it replaces drains (see the class comment) and
   * is closed by the router. Returns the replaced pool, if any.
   */
  swap(owner: string, name: string, pool: WorkerPool): WorkerPool | undefined {
    const key = keyOf(owner, name);
    const old = this.pools.get(key);
    this.pools.set(key, pool);
    if (old && old !== pool) this.startDraining(key, old);
    return old;
  }

  /** Stops routing to the app; returns its pool (the caller closes it). Draining pools are closed here. */
  remove(owner: string, name: string): WorkerPool | undefined {
    const key = keyOf(owner, name);
    const old = this.pools.get(key);
    this.pools.delete(key);
    this.logs.delete(key);
    for (const p of this.draining.get(key) ?? []) void p.close();
    this.draining.delete(key);
    for (const [short, target] of this.shortPaths) if (target.key === key) this.shortPaths.delete(short);
    return old;
  }

  /** Every pool with workers: each app's current one and those still draining (for the admin console's metrics). */
  allPools(): WorkerPool[] {
    return [...this.pools.values(), ...[...this.draining.values()].flatMap((s) => [...s])];
  }

  /** The versions whose workers run for the app: the current pool's and the draining ones'. */
  versionsInUse(owner: string, name: string): number[] {
    const key = keyOf(owner, name);
    return [this.pools.get(key), ...(this.draining.get(key) ?? [])].flatMap((p) => (p && p.version !== null ? [p.version] : []));
  }

  /** Serves the app at `/<shortPath>` too (null: no longer). */
  setShortPath(owner: string, name: string, shortPath: string | null): void {
    const key = keyOf(owner, name);
    for (const [short, target] of this.shortPaths) if (target.key === key) this.shortPaths.delete(short);
    if (shortPath !== null) this.shortPaths.set(shortPath, { key, owner, name });
  }

  logFor(owner: string, name: string): LogRing {
    const key = keyOf(owner, name);
    let log = this.logs.get(key);
    if (!log) this.logs.set(key, (log = new LogRing(200)));
    return log;
  }

  /**
   * For the proxy: the target serving `pathname`, sticky by the request's session; undefined when no app is there.
   * A short path's request is rewritten to the app's own path (`/sales/x` → `/alice/sales/x` in `req.url`), which
   * is where the worker serves it.
   */
  resolve(req: http.IncomingMessage, pathname: string): RouteTarget | undefined {
    const [, first, second] = pathname.split("/");
    let key = first && second ? keyOf(first, second) : "";
    if (!this.pools.has(key)) {
      const short = first ? this.shortPaths.get(first) : undefined;
      if (!short) return undefined;
      key = short.key;
      const url = req.url ?? "/";
      req.url = `/${short.owner}/${short.name}${url.slice(1 + first.length)}`;
    }
    const pool = this.pools.get(key);
    if (!pool) return undefined;
    const sessionId = sessionIdOf(req);
    const holder = sessionId ? [...(this.draining.get(key) ?? [])].find((p) => p.holds(sessionId)) : undefined;
    return { ready: () => (holder ?? pool).route(sessionId) };
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const pools = [...this.pools.values(), ...[...this.draining.values()].flatMap((s) => [...s])];
    this.pools.clear();
    this.draining.clear();
    // The gateway stops; the apps do not: workers on runners keep their sessions (see WorkerPool.release).
    await Promise.all(pools.map((p) => p.release()));
  }

  private startDraining(key: string, pool: WorkerPool): void {
    let set = this.draining.get(key);
    if (!set) this.draining.set(key, (set = new Set()));
    set.add(pool);
    const log = this.logs.get(key);
    const timer = this.drain.maxMs > 0 ? setTimeout(() => finish("the drain time is over"), this.drain.maxMs) : null;
    if (timer) this.timers.add(timer);
    const check = () => {
      if (pool.sessionCount === 0) finish("its last session ended");
    };
    const finish = (why: string) => {
      pool.off("sessions", check);
      pool.off("state", check);
      if (timer) {
        clearTimeout(timer);
        this.timers.delete(timer);
      }
      const s = this.draining.get(key);
      if (!s?.delete(pool)) return;
      if (s.size === 0) this.draining.delete(key);
      log?.push(`[plothost] version ${pool.version ?? "?"}'s workers stopped: ${why}`);
      void pool.close();
    };
    pool.on("sessions", check);
    pool.on("state", check);
    if (this.drain.maxMs === 0) finish("the app was replaced");
    else check();
  }
}
