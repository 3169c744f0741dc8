import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { parseSubprotocolHeader, sessionIdFromToken } from "../../../shared/protocol/index.ts";
import { DOC_SOCKET_PATH } from "../docs/doc-sockets.ts";

/** What a live WebSocket is connected to: an app's worker, a published document, or the admin overview. */
export type ConnectionKind = "app" | "doc" | "admin";

/** One live WebSocket connection (a Bokeh session's connection) as the admin console lists it. */
export interface LiveConnection {
  /** The registry's own id for the connection (what `end` takes). */
  readonly id: string;
  readonly kind: ConnectionKind;
  /** The app name, the document id (`share link <prefix>…` for a share link's viewer), or `overview`. */
  readonly target: string;
  /** The Bokeh session id from the connection's token (null when the token is unreadable). */
  readonly sessionId: string | null;
  /** Who opened it, once known (filled in asynchronously; null for anonymous public viewers). */
  user: string | null;
  readonly remote: string | null;
  readonly openedAt: number;
  /** When bytes last moved either way, as of the last `sample()`. */
  lastActivityAt: number;
}

interface Entry {
  readonly info: LiveConnection;
  readonly socket: Duplex & { bytesRead?: number; bytesWritten?: number };
  bytes: number;
}

/**
 * Every live session WebSocket the gateway carries (apps', published documents' and the overview's), for the admin console's Sessions page and the overview's session
 * count. The gateway's `upgrade` handler reports each upgrade with `observe` before routing it; the entry goes
 * when the socket closes. Deliberately shallow: it never reads or writes the stream (the proxy pipes it), so
 * "last activity" comes from the socket's byte counters at each `sample()`, and an upgrade that is refused is
 * listed only until its refusal closes the socket (milliseconds).
 * Not tracked: sessions inside a worker that have no connection (a worker drops those after
 * `--unused-session-lifetime`).
 */
export class LiveConnections {
  private readonly entries = new Map<string, Entry>();
  /** Session ids an admin ended, until when their tokens could still open a connection (ms). */
  private readonly ended = new Map<string, number>();

  constructor(private readonly opts: {
    /** Works out who a request is (for display); a failure leaves the user unknown. */
    identify: (req: IncomingMessage) => Promise<{ username: string } | null>;
    /** How long an ended session's id stays refused: the session token lifetime (a later token would be expired). */
    rememberEndedMs: number;
    now?: () => number;
  }) {}

  /** Whether an upgrade carries the session id of a session an admin ended (it must be refused). */
  isEnded(req: IncomingMessage): boolean {
    if (this.ended.size === 0) return false; // the usual case: no token to decode on every upgrade
    const id = sessionIdOf(req);
    if (id === null) return false;
    const until = this.ended.get(id);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.ended.delete(id);
    return false;
  }

  /** Records an upgrade at `pathname` (the path below plothost's mount) if it is a session socket. */
  observe(req: IncomingMessage, socket: Duplex, pathname: string): void {
    const kind = this.classify(pathname);
    if (!kind) return;
    const now = this.now();
    const info: LiveConnection = {
      id: randomBytes(9).toString("base64url"), kind: kind.kind, target: kind.target, sessionId: sessionIdOf(req),
      user: null, remote: req.socket.remoteAddress ?? null, openedAt: now, lastActivityAt: now,
    };
    const entry: Entry = { info, socket, bytes: 0 };
    this.entries.set(info.id, entry);
    socket.once("close", () => this.entries.delete(info.id));
    this.opts.identify(req).then((p) => { info.user = p?.username ?? null; }, () => {});
  }

  /** Updates last-activity times from the sockets' byte counters (the metrics collector calls it each tick). */
  sample(): void {
    const now = this.now();
    for (const e of this.entries.values()) {
      const bytes = (e.socket.bytesRead ?? 0) + (e.socket.bytesWritten ?? 0);
      if (bytes !== e.bytes) {
        e.bytes = bytes;
        e.info.lastActivityAt = now;
      }
    }
  }

  list(filter: { kind?: ConnectionKind; target?: string } = {}): LiveConnection[] {
    return [...this.entries.values()].map((e) => e.info)
      .filter((c) => (!filter.kind || c.kind === filter.kind) && (filter.target === undefined || c.target === filter.target));
  }

  /** Users' sessions (apps and documents; not the admin console's own overview). */
  countSessions(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.info.kind !== "admin") n++;
    return n;
  }

  get(id: string): LiveConnection | null {
    return this.entries.get(id)?.info ?? null;
  }

  /**
   * Ends a session: its connection's socket is closed, and its session id refused from now on (BokehJS would
   * otherwise reconnect with it), so the worker destroys the session once it has been unused for
   * `--unused-session-lifetime`. False when there is no such connection.
   */
  end(id: string): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    const now = this.now();
    for (const [sid, until] of this.ended) if (until <= now) this.ended.delete(sid);
    if (e.info.sessionId !== null) this.ended.set(e.info.sessionId, now + this.opts.rememberEndedMs);
    this.entries.delete(id);
    e.socket.destroy();
    return true;
  }

  close(): void {
    this.entries.clear();
    this.ended.clear();
  }

  private classify(pathname: string): { kind: ConnectionKind; target: string } | null {
    if (pathname === "/admin/overview/ws") return { kind: "admin", target: "overview" };
    const doc = DOC_SOCKET_PATH.exec(pathname);
    if (doc) return { kind: "doc", target: doc[1] };
    // A share link's viewer (`/s/<secret>/ws`): shown by the secret's display prefix only, never the secret.
    const link = /^\/s\/([A-Za-z0-9_-]+)\/ws$/.exec(pathname);
    if (link) return { kind: "doc", target: `share link ${link[1].slice(0, 8)}…` };
    // Any other session socket is an app's: `/<app>/ws` (local apps) or `/<user>/<app>/ws` (deployed apps).
    const app = /^\/([A-Za-z0-9_.-]+(?:\/[A-Za-z0-9_.-]+)?)\/ws$/.exec(pathname);
    return app ? { kind: "app", target: app[1] } : null;
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }
}

function sessionIdOf(req: IncomingMessage): string | null {
  try {
    return sessionIdFromToken(parseSubprotocolHeader(req.headers["sec-websocket-protocol"]).token);
  } catch {
    return null;
  }
}
