import readline from "node:readline";
import type { Readable } from "node:stream";
import type { Logger } from "../../shared/logging/create-logger.ts";
import { JOURNAL_EVENTS } from "../../shared/protocol/worker-events.ts";

const LEVELS: Record<number, "trace" | "debug" | "info" | "warn" | "error" | "fatal"> = {
  10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal",
};
const MAX_LINE = 8192;
/** A restorable session's snapshot larger than this is not saved (it is logged, cut, like any other line). */
const MAX_JOURNAL_LINE = 256 * 1024 * 1024;

/**
 * Re-logs a worker's output through the gateway's logger: JSON lines keep their level and fields, other lines
 * (stderr, a crash dump) become `warn` entries. Every line is cut at 8 KiB so a flooding tenant cannot blow up
 * the gateway's log. `onEvent` sees each JSON line's `event` field (e.g. `ready`).
 */
export function pipeWorkerOutput(
  stream: Readable, log: Logger, streamName: "stdout" | "stderr", onEvent: (event: string, line: Record<string, unknown>) => void,
  /** Sees every (cut) line as written, e.g. for the app's log ring. */
  onLine?: (line: string) => void,
): void {
  const rl = readline.createInterface({ input: stream, crlfDelay: Infinity });
  rl.on("line", (raw) => {
    if (journalLine(raw, onEvent)) return;
    const line = raw.length > MAX_LINE ? `${raw.slice(0, MAX_LINE)}…` : raw;
    onLine?.(line);
    let parsed: Record<string, unknown> | null = null;
    if (line.startsWith("{")) {
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        parsed = null;
      }
    }
    if (!parsed) {
      log.warn({ stream: streamName }, line);
      return;
    }
    const { level, msg, time: _t, pid: _p, hostname: _h, name: _n, ...fields } = parsed;
    const method = LEVELS[Number(level)] ?? "info";
    log[method](fields, typeof msg === "string" ? msg : "");
    if (typeof fields.event === "string") onEvent(fields.event, parsed);
  });
}

/** A restorable session's snapshot/changes line (data, not a log line): handed over whole, neither cut nor logged. */
function journalLine(raw: string, onEvent: (event: string, line: Record<string, unknown>) => void): boolean {
  if (raw.length > MAX_JOURNAL_LINE || !raw.startsWith("{") || !/"event":"(snapshot|changes)"/.test(raw.slice(0, 160))) return false;
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(raw) as Record<string, unknown>;
  } catch {
    return false;
  }
  if (typeof parsed.event !== "string" || !JOURNAL_EVENTS.has(parsed.event)) return false;
  onEvent(parsed.event, parsed);
  return true;
}
