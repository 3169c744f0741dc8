// The file backend on a real directory: what survives a reopen, how the log is compacted, and how damaged files
// are reported and skipped. (Crash safety under SIGKILL is in file-crash.test.ts.)
import { appendFile, copyFile, mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openFileStore, type FileStoreOptions } from "../../../shared/storage/file.ts";
import type { DocumentStore, StoreReport } from "../../../shared/storage/index.ts";
import { columnsOf, modelChanged, plotDoc, streamed, attrOf } from "../../fixtures/storage/documents.ts";

describe("file document store", () => {
  let dir: string;
  let stores: DocumentStore[];
  let reports: StoreReport[];

  async function open(options: Partial<FileStoreOptions> = {}): Promise<DocumentStore> {
    const store = await openFileStore({ directory: dir, report: (r) => reports.push(r), ...options });
    stores.push(store);
    return store;
  }

  async function reopen(store: DocumentStore, options: Partial<FileStoreOptions> = {}): Promise<DocumentStore> {
    await store.close();
    return open(options);
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "plothost-file-store-"));
    stores = [];
    reports = [];
  });

  afterEach(async () => {
    for (const s of stores) await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("gives back after a reopen exactly what was acknowledged: content, metadata, versions, usage, deletions", async () => {
    let store = await open();
    const fixture = plotDoc();
    const a = await store.create({ owner: "alice", name: "a", doc: fixture.doc });
    const b = await store.create({ owner: "alice", name: "b", doc: plotDoc().doc });
    const gone = await store.create({ owner: "alice", name: "gone", doc: plotDoc().doc });
    await store.applyEvents(a.id, [streamed(fixture.sourceId, { x: [4], y: [7] })]);
    await store.updateMeta(a.id, { title: "Renamed", visibility: "public" });
    await store.applyEvents(a.id, [modelChanged(fixture.sliderId, "value", 3)]);
    const replacement = plotDoc({ x: [0], y: [0] });
    await store.replace(b.id, replacement.doc);
    await store.delete(gone.id);
    const before = { a: await store.get(a.id), b: await store.get(b.id), list: await store.list({ owner: "alice" }) };

    store = await reopen(store);
    expect(await store.list({ owner: "alice" })).toEqual(before.list);
    expect(await store.get(a.id)).toEqual(before.a);
    expect(before.a.meta).toMatchObject({ version: 3, title: "Renamed", visibility: "public" });
    expect(columnsOf(before.a.doc, fixture.sourceId)).toEqual({ x: [1, 2, 3, 4], y: [4, 6, 5, 7] });
    expect(await store.get(b.id)).toEqual(before.b);
    expect(before.b.doc).toEqual(replacement.doc);
    await expect(store.get(gone.id)).rejects.toMatchObject({ code: "document_not_found" });
    expect(await store.usage("alice")).toBe(before.a.meta.sizeBytes + before.b.meta.sizeBytes);
    expect((await readdir(dir)).sort()).toEqual([`${a.id}.log`, `${a.id}.snap`, `${b.id}.snap`].sort());
    expect(reports).toEqual([]);
  });

  it("appends a small record for a small change to a large document instead of rewriting it", async () => {
    const store = await open();
    const x = Float64Array.from({ length: 100_000 }, (_, i) => i);
    const fixture = plotDoc({ x, y: x, typed: true, buffers: true });
    const meta = await store.create({ owner: "alice", name: "big", doc: fixture.doc, buffers: fixture.buffers });
    const snap = join(dir, `${meta.id}.snap`);
    const snapBefore = await stat(snap);
    for (let i = 0; i < 5; i++) await store.applyEvents(meta.id, [streamed(fixture.sourceId, { x: [i], y: [i] })]);
    const snapAfter = await stat(snap);
    expect(snapAfter.ino).toBe(snapBefore.ino);
    expect(snapAfter.size).toBe(snapBefore.size);
    const logSize = (await stat(join(dir, `${meta.id}.log`))).size;
    expect(logSize).toBeLessThan(5 * 400);
  });

  it("also folds the log once replaying it onto the document would cost more than maxReplayBytes", async () => {
    const x = Float64Array.from({ length: 20_000 }, (_, i) => i);
    const fixture = plotDoc({ x, y: x, typed: true, buffers: true });
    const probe = await open();
    const size = (await probe.create({ owner: "probe", name: "p", doc: fixture.doc, buffers: fixture.buffers })).sizeBytes;
    await probe.close();
    await rm(dir, { recursive: true });
    const store = await open({ compaction: { maxReplayBytes: size * 4 + 1000 } });
    const meta = await store.create({ owner: "alice", name: "big", doc: fixture.doc, buffers: fixture.buffers });
    const logSizes: number[] = [];
    for (let i = 0; i < 6; i++) {
      await store.applyEvents(meta.id, [streamed(fixture.sourceId, { x: [i], y: [i] })]);
      logSizes.push((await stat(join(dir, `${meta.id}.log`)).catch(() => ({ size: 0 }))).size);
    }
    // Four records fit the budget; the fifth change is written as a snapshot and empties the log.
    expect(logSizes.map((n) => n > 0)).toEqual([true, true, true, true, false, true]);
  });

  it("folds the log into a new snapshot once it outgrows the document, and reopens to the same state", async () => {
    let store = await open({ compaction: { minLogBytes: 1024 } });
    const fixture = plotDoc({ x: [], y: [] });
    const meta = await store.create({ owner: "alice", name: "stream", doc: fixture.doc });
    const log = join(dir, `${meta.id}.log`);
    let largestLog = 0;
    let compactions = 0;
    for (let i = 0; i < 60; i++) {
      await store.applyEvents(meta.id, [streamed(fixture.sourceId, { x: [i], y: [i * 2] })]);
      const size = (await stat(log).catch(() => ({ size: 0 }))).size;
      if (size < largestLog) compactions++;
      largestLog = Math.max(largestLog, size);
    }
    expect(compactions).toBeGreaterThan(2);
    const snapSize = (await stat(join(dir, `${meta.id}.snap`))).size;
    expect(largestLog).toBeLessThanOrEqual(Math.max(1024, snapSize));
    const before = await store.get(meta.id);
    store = await reopen(store, { compaction: { minLogBytes: 1024 } });
    expect(await store.get(meta.id)).toEqual(before);
    expect(columnsOf(before.doc, fixture.sourceId).x).toEqual(Array.from({ length: 60 }, (_, i) => i));
    expect(before.meta.version).toBe(61);
  });

  it("skips log records a newer snapshot already holds (a crash between snapshot and log truncation)", async () => {
    let store = await open();
    const fixture = plotDoc();
    const meta = await store.create({ owner: "alice", name: "a", doc: fixture.doc });
    for (let v = 2; v <= 4; v++) await store.applyEvents(meta.id, [modelChanged(fixture.sliderId, "value", v)]);
    const log = join(dir, `${meta.id}.log`);
    await copyFile(log, `${log}.saved`);
    const replacement = plotDoc({ x: [7], y: [7] });
    await store.replace(meta.id, replacement.doc); // snapshot at the next sequence number; log emptied
    await store.close();
    await copyFile(`${log}.saved`, log); // as if the process died before emptying the log
    await rm(`${log}.saved`);
    store = await open();
    expect(await store.get(meta.id)).toMatchObject({ meta: { version: 5 }, doc: replacement.doc });
    await store.applyEvents(meta.id, [modelChanged(replacement.sliderId, "value", 8)]);
    store = await reopen(store);
    expect(attrOf((await store.get(meta.id)).doc, replacement.sliderId, "value")).toBe(8);
    expect(reports).toEqual([]);
  });

  it("reports a snapshot damaged while open instead of serving it", async () => {
    let store = await open();
    const meta = await store.create({ owner: "alice", name: "a", doc: plotDoc().doc });
    store = await reopen(store); // nothing cached
    const snap = join(dir, `${meta.id}.snap`);
    await truncate(snap, 20);
    await expect(store.get(meta.id)).rejects.toMatchObject({ code: "internal", status: 500 });
    expect(reports).toEqual([expect.objectContaining({ kind: "corrupt", id: meta.id, path: snap, action: "skipped" })]);
  });

  it("reports and skips a damaged snapshot, cuts damaged or torn logs back to their last good record, and loads the rest", async () => {
    let store = await open();
    const docs = await Promise.all(["truncated", "bad-record", "torn-tail", "fine"].map(async (name) => {
      const fixture = plotDoc();
      const meta = await store.create({ owner: "alice", name, doc: fixture.doc });
      for (let v = 2; v <= 4; v++) await store.applyEvents(meta.id, [modelChanged(fixture.sliderId, "value", v)]);
      return { meta, fixture };
    }));
    const [truncated, badRecord, tornTail, fine] = docs;
    const fineBefore = await store.get(fine.meta.id);
    await store.close();

    const snap = join(dir, `${truncated.meta.id}.snap`);
    await truncate(snap, Math.floor((await stat(snap)).size / 2));
    // Flip one payload byte of the second of three records: records 2 and 3 are dropped, record 1 stays.
    const badLog = join(dir, `${badRecord.meta.id}.log`);
    const bytes = await readFile(badLog);
    const second = 8 + bytes.readUInt32LE(0);
    bytes[second + 8 + 5] ^= 0xff;
    await writeFile(badLog, bytes);
    await appendFile(join(dir, `${tornTail.meta.id}.log`), Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 5]));
    await writeFile(join(dir, `${fine.meta.id}.snap.tmp-deadbeef`), "half a snapshot");
    await writeFile(join(dir, "AAAAAAAAAAAAAAAA.log"), "log of a deleted document");

    store = await open();
    const byId = new Map(reports.map((r) => [(r as { id: string }).id, r]));
    expect(byId.get(truncated.meta.id)).toMatchObject({ kind: "corrupt", path: snap, action: "skipped", reason: expect.stringMatching(/checksum/) });
    expect(byId.get(badRecord.meta.id)).toMatchObject({ kind: "corrupt", path: badLog, action: "truncated", reason: expect.stringMatching(/checksum/) });
    expect(byId.get(tornTail.meta.id)).toMatchObject({ kind: "corrupt", action: "truncated", reason: expect.stringMatching(/torn/) });
    expect(reports).toHaveLength(3);

    await expect(store.get(truncated.meta.id)).rejects.toMatchObject({ code: "document_not_found" });
    const bad = await store.get(badRecord.meta.id);
    expect(bad.meta.version).toBe(2);
    expect(attrOf(bad.doc, badRecord.fixture.sliderId, "value")).toBe(2);
    const torn = await store.get(tornTail.meta.id);
    expect(torn.meta.version).toBe(4);
    expect(await store.get(fine.meta.id)).toEqual(fineBefore);
    expect((await store.list({ owner: "alice" })).map((m) => m.name).sort()).toEqual(["bad-record", "fine", "torn-tail"]);
    const names = await readdir(dir);
    expect(names.some((n) => n.includes(".tmp-") || n.startsWith("AAAA"))).toBe(false);
    expect(names).toContain(`${truncated.meta.id}.snap`); // left for inspection

    // Writes after the cut go after the last good record, and survive another reopen without new reports.
    await store.applyEvents(badRecord.meta.id, [modelChanged(badRecord.fixture.sliderId, "value", 42)]);
    store = await reopen(store);
    const again = await store.get(badRecord.meta.id);
    expect(again.meta.version).toBe(3);
    expect(attrOf(again.doc, badRecord.fixture.sliderId, "value")).toBe(42);
    expect(reports.filter((r) => (r as { id?: string }).id !== truncated.meta.id)).toHaveLength(2);
  });
});
