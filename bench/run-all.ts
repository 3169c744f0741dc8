/**
 * `npm run bench`: runs every benchmark one after another (each against its in-run baseline), prints the tables
 * and appends one dated section with all of them to bench/RESULTS.md. `npm run bench -- session-open memory`
 * runs only those; `--no-record` prints without appending. Each benchmark also runs alone:
 * `npx tsx bench/<name>.ts`.
 */
import { record, type BenchResult } from "./lib/report.ts";
import { now } from "./lib/stats.ts";

interface Bench {
  name: string;
  /** Loads and runs the benchmark; absent for one that cannot run yet (`skip` says why). */
  run?: () => Promise<BenchResult>;
  skip?: string;
}

const BENCHES: Bench[] = [
  { name: "session-open", run: async () => (await import("./session-open.ts")).run() },
  { name: "patch-roundtrip", run: async () => (await import("./patch-roundtrip.ts")).run() },
  { name: "cold-start", run: async () => (await import("./cold-start.ts")).run() },
  { name: "memory", run: async () => (await import("./memory.ts")).run() },
  { name: "stream-fanout", run: async () => (await import("./stream-fanout.ts")).run() },
  { name: "large-doc", run: async () => (await import("./large-doc.ts")).run() },
  { name: "cluster", run: async () => (await import("./cluster.ts")).run() },
];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const only = args.filter((a) => !a.startsWith("--"));
  const unknown = only.filter((n) => !BENCHES.some((b) => b.name === n));
  if (unknown.length > 0) throw new Error(`unknown benchmark(s): ${unknown.join(", ")}; known: ${BENCHES.map((b) => b.name).join(", ")}`);
  const selected = BENCHES.filter((b) => only.length === 0 || only.includes(b.name));
  const results: BenchResult[] = [];
  const t0 = now();
  for (const b of selected) {
    if (!b.run) {
      console.log(`- ${b.name}: skipped (${b.skip})`);
      results.push({ name: b.name, title: "skipped", table: [["status"], [`skipped: ${b.skip}`]] });
      continue;
    }
    const t = now();
    console.log(`- ${b.name} ...`);
    results.push(await b.run());
    console.log(`  done in ${((now() - t) / 1000).toFixed(1)} s`);
  }
  console.log(`all benchmarks: ${((now() - t0) / 1000).toFixed(1)} s`);
  record(results, { write: !args.includes("--no-record"), heading: "npm run bench" });
}

main().then(() => process.exit(0), (err: unknown) => {
  console.error(err);
  process.exit(1);
});
