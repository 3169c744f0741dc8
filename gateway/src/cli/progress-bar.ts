const WIDTH = 30;

/** "1.2 MB" */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * A progress bar on a stream (the CLI's stderr). On a terminal it redraws one line
 * (`upload [#######-------]  45%  1.1 MB / 2.4 MB`); elsewhere (logs, CI) it prints a line at each quarter, so
 * output stays readable.
 */
export class ProgressBar {
  private lastQuarter = -1;
  private finished = false;

  constructor(private readonly out: NodeJS.WritableStream & { isTTY?: boolean }, private readonly label: string) {}

  update(done: number, total: number): void {
    if (this.finished) return;
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const pct = Math.floor(fraction * 100);
    const sizes = `${formatBytes(done)} / ${formatBytes(total)}`;
    if (this.out.isTTY) {
      const filled = Math.round(fraction * WIDTH);
      this.out.write(`\r${this.label} [${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${String(pct).padStart(3)}%  ${sizes}\x1b[K`);
    } else {
      const quarter = Math.floor(fraction * 4);
      if (quarter > this.lastQuarter) {
        this.lastQuarter = quarter;
        this.out.write(`${this.label} ${pct}% (${sizes})\n`);
      }
    }
    if (fraction >= 1) this.finish();
  }

  /** Ends the bar's line (on a terminal). */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.out.isTTY) this.out.write("\n");
  }
}
