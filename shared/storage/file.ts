import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, readdir, rename, unlink, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import type { Document } from "../document/index.ts";
import { replayEvents } from "./apply-events.ts";
import { DEFAULT_COMPACTION, shouldCompact, type CompactionPolicy } from "./compaction.ts";
import { CorruptDocumentError, decodeDocument } from "./document-codec.ts";
import {
  encodeLogRecord,
  parseLog,
  parseSnapshot,
  snapshotParts,
  type LogRecord,
  type ParsedRecord,
  type SnapshotHeader,
} from "./file-format.ts";
import type { CommonStoreOptions, DocumentMeta, DocumentStore, StoreReport } from "./index.ts";
import { LocalDocumentStore, type LocalPersistence } from "./local-store.ts";
import { frozenMeta } from "./records.ts";

/** Options of the file backend. */
export interface FileStoreOptions extends CommonStoreOptions {
  /** The directory that holds the documents (created when missing). One process owns it at a time. */
  directory: string;
  /** When the change log is folded into a new snapshot (see `compaction.ts`). */
  compaction?: Partial<CompactionPolicy>;
}

const SNAP = ".snap";
const LOG = ".log";
const TMP_MARK = ".tmp-";
const ID_FILE = /^([A-Za-z0-9_-]{1,64})\.(snap|log)$/;

/** What the store tracks per document file pair. */
interface DocFiles {
  /** The last sequence number used (snapshot lsn or log record seq). */
  seq: number;
  /** Bytes in the log (appends go after them). */
  logBytes: number;
  /** Records in the log after the snapshot. */
  logRecords: number;
}

/** The outcome of folding a log onto its snapshot: the state it reaches and the records that got there. */
interface Folded {
  meta: DocumentMeta;
  seq: number;
  applied: LogRecord[];
  /** Offset just past the last good record: the log is cut back to it when `problem` is set. */
  goodEnd: number;
  problem: string | null;
}

function fold(header: SnapshotHeader, log: { records: ParsedRecord[]; problem: string | null }): Folded {
  let meta = header.meta;
  let seq = header.lsn;
  let goodEnd = 0;
  const applied: LogRecord[] = [];
  for (const { record, end } of log.records) {
    // Records a snapshot already includes (the log was not yet cut back when the process stopped).
    if (record.seq <= header.lsn) {
      goodEnd = end;
      continue;
    }
    if (record.seq !== seq + 1) return { meta, seq, applied, goodEnd, problem: `record ${record.seq} follows ${seq}` };
    if (record.type === "events") {
      if (record.version !== meta.version + 1) {
        return { meta, seq, applied, goodEnd, problem: `record ${record.seq} is version ${record.version}, not ${meta.version + 1}` };
      }
      meta = { ...meta, version: record.version, updatedAt: record.updatedAt, sizeBytes: record.sizeBytes };
    } else {
      const { name, title, visibility, sharedWith, updatedAt } = record;
      meta = { ...meta, name, title, visibility, sharedWith, updatedAt };
    }
    seq = record.seq;
    goodEnd = end;
    applied.push(record);
  }
  return { meta, seq, applied, goodEnd, problem: log.problem };
}

async function readIfExists(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

async function unlinkIfExists(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}

async function writeAll(fh: FileHandle, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.byteLength) {
    const { bytesWritten } = await fh.write(data, offset, data.byteLength - offset);
    offset += bytesWritten;
  }
}

async function truncateTo(path: string, length: number): Promise<void> {
  const fh = await open(path, "r+");
  try {
    await fh.truncate(length);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * A snapshot per document plus an append-only log of checksummed change records, compacted into a new snapshot.
 *
 * Why not only "write a temp file, fsync, rename" per change: a stream of small changes (a point a second) to a
 * large document (two 1,000,000-point columns: 16 MB encoded) would rewrite 16 MB per change; a log record for it is
 * ~100 bytes. Snapshots are still only ever replaced by temp file + fsync + rename + directory fsync, so a snapshot
 * is always whole; log records carry a CRC and a sequence number, so a record torn by a crash is recognised and cut
 * off (it was never acknowledged: acknowledgement waits for fdatasync). The log is folded into a fresh snapshot
 * by `shouldCompact`, which bounds both disk use (about twice the document) and replay time. Records a snapshot already covers are skipped by sequence number, so a crash between
 * writing a snapshot and emptying the log is harmless.
 */
class FilePersistence implements LocalPersistence {
  constructor(
    private readonly dir: string,
    private readonly files: Map<string, DocFiles>,
    private readonly compaction: CompactionPolicy,
  ) {}

  async create(meta: DocumentMeta, encoded: Buffer): Promise<void> {
    await this.writeSnapshot(meta, 0, encoded);
    this.files.set(meta.id, { seq: 0, logBytes: 0, logRecords: 0 });
  }

  async writeEvents(meta: DocumentMeta, events: unknown[], encoded: Buffer): Promise<void> {
    const files = this.files.get(meta.id)!;
    const record = encodeLogRecord({
      seq: files.seq + 1,
      type: "events",
      version: meta.version,
      updatedAt: meta.updatedAt,
      sizeBytes: meta.sizeBytes,
      events,
    });
    if (shouldCompact({ bytes: files.logBytes, records: files.logRecords }, record.byteLength, encoded.byteLength, this.compaction)) {
      await this.compact(meta, encoded);
    } else {
      await this.append(meta.id, record);
    }
  }

  async replace(meta: DocumentMeta, encoded: Buffer): Promise<void> {
    await this.compact(meta, encoded);
  }

  async writeMeta(meta: DocumentMeta): Promise<void> {
    const files = this.files.get(meta.id)!;
    const { name, title, visibility, sharedWith, updatedAt } = meta;
    await this.append(meta.id, encodeLogRecord({ seq: files.seq + 1, type: "meta", name, title, visibility, sharedWith: [...sharedWith], updatedAt }));
  }

  async delete(meta: DocumentMeta): Promise<void> {
    // Snapshot first: a crash in between leaves only a log, which opening removes; the other order could bring
    // back an old version of a deleted document.
    await unlinkIfExists(this.path(meta.id, SNAP));
    await unlinkIfExists(this.path(meta.id, LOG));
    await this.syncDir();
    this.files.delete(meta.id);
  }

  async load(meta: DocumentMeta): Promise<Document> {
    const path = this.path(meta.id, SNAP);
    try {
      return await this.loadFrom(path, meta);
    } catch (err) {
      if (err instanceof CorruptDocumentError) throw new CorruptDocumentError(err.message, { cause: err, path });
      throw err;
    }
  }

  private async loadFrom(path: string, meta: DocumentMeta): Promise<Document> {
    const snapshot = await readIfExists(path);
    if (snapshot === null) throw new CorruptDocumentError("snapshot file is missing");
    const { header, encoded } = parseSnapshot(snapshot);
    const doc = decodeDocument(encoded);
    const log = await readIfExists(this.path(meta.id, LOG));
    const folded = fold(header, log === null ? { records: [], problem: null } : parseLog(log));
    for (const record of folded.applied) {
      if (record.type !== "events") continue;
      try {
        await replayEvents(doc, record.events);
      } catch (err) {
        throw new CorruptDocumentError(`log record ${record.seq} does not apply: ${(err as Error).message}`, { cause: err });
      }
    }
    if (folded.meta.version !== meta.version) {
      throw new CorruptDocumentError(`files reach version ${folded.meta.version}, the index says ${meta.version}`);
    }
    return doc;
  }

  async close(): Promise<void> {
    this.files.clear();
  }

  private path(id: string, ext: string): string {
    return join(this.dir, id + ext);
  }

  /** Writes a snapshot of `meta` taking a new sequence number, then empties the log it supersedes. */
  private async compact(meta: DocumentMeta, encoded: Buffer): Promise<void> {
    const files = this.files.get(meta.id)!;
    const lsn = files.seq + 1;
    await this.writeSnapshot(meta, lsn, encoded);
    files.seq = lsn;
    files.logRecords = 0;
    if (files.logBytes > 0) {
      try {
        await truncateTo(this.path(meta.id, LOG), 0);
        files.logBytes = 0;
      } catch {
        // The snapshot is committed; the stale records are skipped by sequence number, and the next compaction
        // retries the truncation.
      }
    }
  }

  private async writeSnapshot(meta: DocumentMeta, lsn: number, encoded: Buffer): Promise<void> {
    const target = this.path(meta.id, SNAP);
    const tmp = `${target}${TMP_MARK}${randomBytes(4).toString("hex")}`;
    const fh = await open(tmp, "wx");
    try {
      for (const part of snapshotParts({ meta, lsn }, encoded)) await writeAll(fh, part);
      await fh.sync();
    } catch (err) {
      await fh.close();
      await unlinkIfExists(tmp);
      throw err;
    }
    await fh.close();
    await rename(tmp, target);
    await this.syncDir();
  }

  /** Appends one record and waits for fdatasync; a failed append is cut back so the log stays parseable. */
  private async append(id: string, record: Buffer): Promise<void> {
    const files = this.files.get(id)!;
    const path = this.path(id, LOG);
    const created = files.logBytes === 0;
    const fh = await open(path, "a");
    try {
      await writeAll(fh, record);
      await fh.datasync();
    } catch (err) {
      await fh.close();
      await truncateTo(path, files.logBytes).catch(() => undefined);
      throw err;
    }
    await fh.close();
    if (created) await this.syncDir();
    files.logBytes += record.byteLength;
    files.logRecords += 1;
    files.seq += 1;
  }

  private async syncDir(): Promise<void> {
    const fh = await open(this.dir, "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}

/**
 * Reads every snapshot (checking its checksum) and log (cutting torn or damaged tails back to the last good record)
 * of a data directory. A bad snapshot is reported and skipped, never served; its files are left for inspection.
 */
async function scan(dir: string, report: (r: StoreReport) => void): Promise<{ metas: DocumentMeta[]; files: Map<string, DocFiles> }> {
  const names = await readdir(dir);
  const metas: DocumentMeta[] = [];
  const files = new Map<string, DocFiles>();
  const snaps = new Set<string>();
  for (const name of names) {
    // Temp files are snapshots whose write never completed, so never acknowledged.
    if (name.includes(TMP_MARK)) await unlinkIfExists(join(dir, name));
    const match = ID_FILE.exec(name);
    if (match?.[2] === "snap") snaps.add(match[1]);
  }
  for (const name of names) {
    const match = ID_FILE.exec(name);
    // A log without a snapshot is what an interrupted delete leaves.
    if (match?.[2] === "log" && !snaps.has(match[1])) await unlinkIfExists(join(dir, name));
  }
  for (const id of [...snaps].sort()) {
    const snapPath = join(dir, id + SNAP);
    let header: SnapshotHeader;
    try {
      header = parseSnapshot(await readFile(snapPath)).header;
      if (header.meta.id !== id) throw new CorruptDocumentError(`snapshot is for document '${header.meta.id}'`);
    } catch (err) {
      if (!(err instanceof CorruptDocumentError)) throw err;
      report({ kind: "corrupt", id, path: snapPath, reason: err.message, action: "skipped" });
      continue;
    }
    const logPath = join(dir, id + LOG);
    const log = await readIfExists(logPath);
    const folded = fold(header, log === null ? { records: [], problem: null } : parseLog(log));
    if (folded.problem !== null && log !== null) {
      report({
        kind: "corrupt",
        id,
        path: logPath,
        reason: `${folded.problem}; ${log.byteLength - folded.goodEnd} bytes after the last good record were discarded`,
        action: "truncated",
      });
      await truncateTo(logPath, folded.goodEnd);
    }
    metas.push(frozenMeta(folded.meta));
    files.set(id, { seq: folded.seq, logBytes: log === null ? 0 : folded.goodEnd, logRecords: folded.applied.length });
  }
  return { metas, files };
}

/** Opens (creating if needed) the file store in `options.directory`: the default, "shelve-like" backend. */
export async function openFileStore(options: FileStoreOptions): Promise<DocumentStore> {
  const report = options.report ?? (() => undefined);
  await mkdir(options.directory, { recursive: true });
  const { metas, files } = await scan(options.directory, report);
  const persistence = new FilePersistence(options.directory, files, { ...DEFAULT_COMPACTION, ...options.compaction });
  return new LocalDocumentStore(persistence, metas, options);
}
