import { crc32 } from "node:zlib";
import { CorruptDocumentError } from "./document-codec.ts";
import type { DocumentMeta, Visibility } from "./index.ts";

/**
 * The two on-disk record kinds of the file backend, with checksums so that anything half-written or damaged is
 * recognised and never served.
 *
 * Snapshot (`<id>.snap`, replaced only by rename):
 * ```
 * "PHSNAP1\n" | u32 LE header length | header JSON {meta, lsn} | encoded document (document-codec.ts) | u32 LE CRC-32
 * ```
 * The CRC covers every byte before it. `lsn` is the sequence number of the last change the snapshot includes.
 *
 * Log record (appended to `<id>.log`):
 * ```
 * u32 LE payload length | u32 LE CRC-32 of the payload | payload JSON (LogRecord)
 * ```
 */
const SNAP_MAGIC = Buffer.from("PHSNAP1\n", "latin1");

export interface SnapshotHeader {
  meta: DocumentMeta;
  lsn: number;
}

/** One appended change. `seq` numbers every change of a document, snapshots included, without gaps. */
export type LogRecord =
  | { seq: number; type: "events"; version: number; updatedAt: string; sizeBytes: number; events: unknown[] }
  | { seq: number; type: "meta"; name: string; title: string; visibility: Visibility; sharedWith: string[]; updatedAt: string };

/** The snapshot's bytes as parts to write in order (the encoded document is not copied). */
export function snapshotParts(header: SnapshotHeader, encoded: Buffer): Buffer[] {
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const prefix = Buffer.alloc(SNAP_MAGIC.length + 4);
  SNAP_MAGIC.copy(prefix);
  prefix.writeUInt32LE(json.byteLength, SNAP_MAGIC.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(crc32(encoded, crc32(json, crc32(prefix))));
  return [prefix, json, encoded, crc];
}

/** Checks and splits a snapshot file; throws {@link CorruptDocumentError} saying what is wrong with it. */
export function parseSnapshot(bytes: Buffer): { header: SnapshotHeader; encoded: Buffer } {
  const min = SNAP_MAGIC.length + 4 + 4;
  if (bytes.byteLength < min || !bytes.subarray(0, SNAP_MAGIC.length).equals(SNAP_MAGIC)) {
    throw new CorruptDocumentError(`not a snapshot (${bytes.byteLength} bytes, bad magic)`);
  }
  const body = bytes.subarray(0, bytes.byteLength - 4);
  if (crc32(body) !== bytes.readUInt32LE(bytes.byteLength - 4)) {
    throw new CorruptDocumentError("snapshot checksum mismatch (truncated or damaged)");
  }
  const headerEnd = SNAP_MAGIC.length + 4 + bytes.readUInt32LE(SNAP_MAGIC.length);
  if (headerEnd > body.byteLength) throw new CorruptDocumentError("snapshot header length is out of range");
  let header: SnapshotHeader;
  try {
    header = JSON.parse(body.toString("utf8", SNAP_MAGIC.length + 4, headerEnd));
  } catch (err) {
    throw new CorruptDocumentError("snapshot header is not JSON", { cause: err });
  }
  if (header === null || typeof header !== "object" || typeof header.meta?.id !== "string" || !Number.isSafeInteger(header.lsn)) {
    throw new CorruptDocumentError("snapshot header lacks meta or lsn");
  }
  return { header, encoded: body.subarray(headerEnd) };
}

/** One log record's bytes. */
export function encodeLogRecord(record: LogRecord): Buffer {
  const payload = Buffer.from(JSON.stringify(record), "utf8");
  const head = Buffer.alloc(8);
  head.writeUInt32LE(payload.byteLength, 0);
  head.writeUInt32LE(crc32(payload), 4);
  return Buffer.concat([head, payload]);
}

/** A parsed record and the log offset just past it (where the log may be cut back to). */
export interface ParsedRecord {
  record: LogRecord;
  end: number;
}

/**
 * Reads records until the end or the first one that fails its checks. `problem` says what stopped it (null: the
 * whole log is good); everything from the last good record's end on is to be discarded.
 */
export function parseLog(bytes: Buffer): { records: ParsedRecord[]; problem: string | null } {
  const records: ParsedRecord[] = [];
  let offset = 0;
  while (offset < bytes.byteLength) {
    const at = `record at byte ${offset}`;
    if (bytes.byteLength - offset < 8) return { records, problem: `${at}: torn header (${bytes.byteLength - offset} bytes)` };
    const length = bytes.readUInt32LE(offset);
    const end = offset + 8 + length;
    if (end > bytes.byteLength) return { records, problem: `${at}: torn (${end - bytes.byteLength} of ${length} bytes missing)` };
    const payload = bytes.subarray(offset + 8, end);
    if (crc32(payload) !== bytes.readUInt32LE(offset + 4)) return { records, problem: `${at}: checksum mismatch` };
    let record: LogRecord;
    try {
      record = JSON.parse(payload.toString("utf8"));
    } catch {
      return { records, problem: `${at}: payload is not JSON` };
    }
    if (record === null || typeof record !== "object" || !Number.isSafeInteger(record.seq) || (record.type !== "events" && record.type !== "meta")) {
      return { records, problem: `${at}: not a log record` };
    }
    records.push({ record, end });
    offset = end;
  }
  return { records, problem: null };
}
