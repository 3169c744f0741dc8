/** When a backend folds its change log into a new snapshot/body (file and Redis backends alike). */
export interface CompactionPolicy {
  /** The log may always grow to this many bytes. */
  minLogBytes: number;
  /** Bound on the work of replaying the log on load, counted as records x document bytes. */
  maxReplayBytes: number;
}

export const DEFAULT_COMPACTION: Readonly<CompactionPolicy> = Object.freeze({ minLogBytes: 1024 * 1024, maxReplayBytes: 256 * 1024 * 1024 });

/**
 * Whether the next change should be written as a whole new snapshot instead of one more log record. Two bounds:
 * the log's bytes stay under max(minLogBytes, the document) — so the disk holds at most about twice the
 * document — and replaying it stays cheap: each replayed stream or patch copies the columns it touches, so
 * replay work grows as records x document size (64 small records onto a 16 MB document copy about 1 GB; with the
 * default budget such a document is compacted every 16 changes, a 1 MB one every 256, a small one by bytes only).
 */
export function shouldCompact(
  log: { bytes: number; records: number },
  recordBytes: number,
  documentBytes: number,
  policy: CompactionPolicy,
): boolean {
  return (
    log.bytes + recordBytes > Math.max(policy.minLogBytes, documentBytes) ||
    (log.records + 1) * documentBytes > policy.maxReplayBytes
  );
}
