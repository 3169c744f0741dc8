import { pino, type Logger, type LoggerOptions } from "pino";

export type { Logger };

/**
 * The one logger factory. Composition roots create a logger and pass it (or a child) down; library code in
 * `shared/` never logs. Output is one JSON line per entry (pino), so the gateway can re-log worker lines.
 */
export function createLogger(opts: { level?: string; name?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? "info",
    base: opts.name ? { name: opts.name } : undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
