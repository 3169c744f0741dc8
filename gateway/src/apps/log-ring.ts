import { EventEmitter } from "node:events";

/**
 * The last lines an app's workers wrote (stdout and stderr, every worker and restart), plus the supervisor's notes
 * about them, for the app's owner (`GET /api/v1/apps/:name/logs`). The worker's own routing events are left out.
 * Event: `line` (string), for tests and live tails.
 */
export class LogRing extends EventEmitter {
  private readonly lines: string[] = [];

  constructor(readonly capacity = 200) {
    super();
  }

  push(line: string): void {
    if (line.includes('"event":"session"')) return;
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
    this.emit("line", line);
  }

  /** Oldest first. */
  tail(): string[] {
    return [...this.lines];
  }
}
