import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** What one benchmark measured: a table (first row = column names), its verdict against the goal, and notes. */
export interface BenchResult {
  name: string;
  /** One line: what was measured against what. */
  title: string;
  table: string[][];
  /** e.g. "goal ≤ 1.15×: 1.08× — met"; omitted when the benchmark has no goal. */
  goal?: string;
  notes?: string[];
  /** Further tables of the same benchmark, each under its own heading (after the notes of the first). */
  more?: Array<{ title: string; table: string[][]; notes?: string[] }>;
}

export const RESULTS_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "RESULTS.md");

/** A GitHub-flavoured markdown table; also readable as plain text on a terminal. */
export function markdownTable(rows: readonly string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  const line = (r: readonly string[]) => `| ${r.map((cell, c) => (cell ?? "").padEnd(widths[c])).join(" | ")} |`;
  return [line(rows[0]), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.slice(1).map(line)].join("\n");
}

export function renderResult(r: BenchResult): string {
  const parts = [`### ${r.name}: ${r.title}`, "", markdownTable(r.table)];
  if (r.goal) parts.push("", `Goal: ${r.goal}`);
  if (r.notes?.length) parts.push("", ...r.notes.map((n) => `- ${n}`));
  for (const m of r.more ?? []) {
    parts.push("", `#### ${m.title}`, "", markdownTable(m.table));
    if (m.notes?.length) parts.push("", ...m.notes.map((n) => `- ${n}`));
  }
  return parts.join("\n");
}

/** The machine line every section starts with (the runs are noisy: 2 shared cores, other tests running). */
export function machineNote(): string {
  const cpus = os.cpus();
  return `Machine: ${cpus.length} cores (${cpus[0]?.model.trim() ?? "unknown CPU"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ` +
    `Node ${process.version}, ${os.platform()} ${os.release()}; load average at the start ${os.loadavg().map((l) => l.toFixed(1)).join(" / ")}. ` +
    "Shared and noisy (other engineers' tests run concurrently), so only ratios measured within one run are meaningful.";
}

/** Prints the results and appends one dated section with them to bench/RESULTS.md. */
const MACHINE_AT_START = machineNote();

export function record(results: readonly BenchResult[], opts: { heading?: string; write?: boolean } = {}): void {
  const stamp = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  const body = results.map(renderResult).join("\n\n");
  console.log(`\n${body}\n`);
  if (opts.write === false) return;
  const section = `\n## ${stamp} — ${opts.heading ?? results.map((r) => r.name).join(", ")}\n\n${MACHINE_AT_START}\n\n${body}\n`;
  fs.appendFileSync(RESULTS_FILE, section);
  console.log(`appended to ${path.relative(process.cwd(), RESULTS_FILE)}`);
}

/** True when the module at `metaUrl` is the script node was started with (`npx tsx bench/<name>.ts`). */
export function isMain(metaUrl: string): boolean {
  return process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(metaUrl);
}

/** Runs a single benchmark as a script: prints and records its result, exits non-zero on failure. */
export function runAlone(run: () => Promise<BenchResult>): void {
  const write = !process.argv.includes("--no-record");
  run().then(
    (result) => {
      record([result], { write });
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
