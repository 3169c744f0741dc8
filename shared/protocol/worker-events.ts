/**
 * Worker → supervisor events. Besides ordinary pino log lines, a worker writes these JSON lines on stdout (one per
 * line, written directly so no log level hides them); the supervisor reads every line and acts on those whose
 * `event` it knows. They carry no secrets: session ids already appear in pages and logs.
 */
export type WorkerEvent =
  /** The worker listens on its socket: traffic may be routed to it. */
  | { readonly event: "ready"; readonly socket: string; readonly pid: number }
  /** A session was made or destroyed; `count` is how many the worker holds now (for least-loaded routing, idle stop). */
  | { readonly event: "session"; readonly op: "created" | "destroyed"; readonly id: string; readonly count: number }
  /**
   * A restorable app's session, in full (Bokeh document JSON, arrays inline): replaces what was saved for it. Sent
   * when the session is built or restored, and every N changes.
   */
  | { readonly event: "snapshot"; readonly id: string; readonly seq: number; readonly doc: Record<string, unknown> }
  /** Changes to a restorable session's document since the previous line (PATCH-DOC `events`, arrays inline). */
  | { readonly event: "changes"; readonly id: string; readonly seq: number; readonly events: unknown[] };

/** Events whose lines carry a session's data (possibly megabytes): parsed whole, never logged or cut. */
export const JOURNAL_EVENTS: ReadonlySet<string> = new Set(["snapshot", "changes"]);

/** The pino level these lines carry: `debug`, so the gateway's re-logging shows them only when asked. */
export const WORKER_EVENT_LEVEL = 20;

/** One event as the line the worker writes (`ready` at `info`, so a normal log shows workers starting). */
export function workerEventLine(e: WorkerEvent, now = new Date()): string {
  const level = e.event === "ready" ? 30 : WORKER_EVENT_LEVEL;
  return `${JSON.stringify({ level, time: now.toISOString(), name: "worker", ...e, msg: `worker ${e.event}` })}\n`;
}

/** The event in a parsed log line, or null when it is not one the supervisor acts on. */
export function parseWorkerEvent(line: Record<string, unknown>): WorkerEvent | null {
  if (line.event === "ready" && typeof line.socket === "string") return { event: "ready", socket: line.socket, pid: Number(line.pid) };
  if (line.event === "session" && (line.op === "created" || line.op === "destroyed") && typeof line.id === "string" && typeof line.count === "number") {
    return { event: "session", op: line.op, id: line.id, count: line.count };
  }
  if (typeof line.id !== "string" || typeof line.seq !== "number" || !Number.isSafeInteger(line.seq)) return null;
  if (line.event === "snapshot" && isObject(line.doc)) return { event: "snapshot", id: line.id, seq: line.seq, doc: line.doc };
  if (line.event === "changes" && Array.isArray(line.events)) return { event: "changes", id: line.id, seq: line.seq, events: line.events };
  return null;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);
