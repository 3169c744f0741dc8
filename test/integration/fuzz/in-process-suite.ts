/**
 * The in-process protocol fuzz test, for one range of case indices of the CI seed. The CI total of
 * {@link CI_IN_PROCESS_CASES} cases is split over several test files (protocol-fuzz*.test.ts) so that each stays
 * well under a minute on a loaded 2-core machine and vitest can run two of them at once.
 */
import { describe, expect, it } from "vitest";
import demo from "../../../apps/demo.ts";
import { fuzzInProcess, type FuzzFailure, type FuzzReport } from "./in-process.ts";
import { KNOWN_ISSUES } from "./known-issues.ts";

/** The seed every CI run uses (override with PLOTHOST_FUZZ_SEED to explore). */
export const CI_SEED = Number(process.env.PLOTHOST_FUZZ_SEED ?? 20_261_123);
/** In-process cases per CI run, over all the protocol-fuzz*.test.ts files. */
export const CI_IN_PROCESS_CASES = 100_000;
/** The server's message size limit in the fuzz runs (small, so "huge message" cases are cheap). */
export const FUZZ_MAX_MESSAGE_BYTES = 16 * 1024;

export function unexplained(report: FuzzReport): FuzzFailure[] {
  if (report.known > 0) {
    console.warn(`protocol fuzz: ${report.known} failures from known issues in other code:\n${KNOWN_ISSUES.map((k) => `  - ${k.owner}: ${k.what}`).join("\n")}`);
  }
  return report.failures;
}

export const describeFailures = (failures: FuzzFailure[]) =>
  failures.slice(0, 5).map((f) => `seed ${f.seed} case ${f.index} (${f.kind}): ${f.problem}\n  frames: ${f.frames}`).join("\n");

/** Declares the in-process fuzz test for cases `from..from+count-1` of {@link CI_SEED}. */
export function inProcessFuzzSuite(from: number, count: number): void {
  describe(`protocol fuzzing, in process, cases ${from}..${from + count - 1} (ProtocolConnection on real demo-app sessions, fake sockets)`, () => {
    it(`${count} seeded cases: every message is answered or the connection closes with a documented code`, async () => {
      const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
      const report = await fuzzInProcess({ app: demo, seed: CI_SEED, from, count, maxMessageBytes: FUZZ_MAX_MESSAGE_BYTES, maxFailures: 200 });
      const failures = unexplained(report);
      expect(failures, describeFailures(failures)).toEqual([]);
      expect(report.known).toBe(0);
      expect(report.cases).toBe(count);
      // The mix really exercised every path: both close codes, surviving connections, and every reply type.
      expect(Object.keys(report.endings).sort()).toEqual(["1002", "1009", "open"]);
      for (const t of ["OK", "ERROR", "PULL-DOC-REPLY", "SERVER-INFO-REPLY"]) expect(report.replies[t]).toBeGreaterThan(0);
      expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }, 180_000);
  });
}
