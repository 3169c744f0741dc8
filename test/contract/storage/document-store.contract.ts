// The one contract every DocumentStore implementation passes (STYLE rule 3). `*.test.ts` files next to this one
// run it per backend; backend-specific behaviour (files on disk, Redis across processes) lives in
// test/integration/storage/.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Document } from "../../../shared/document/index.ts";
import type { CommonStoreOptions } from "../../../shared/storage/index.ts";
import {
  StorageLimitError,
  VersionConflictError,
  type DocumentChange,
  type DocumentStore,
  type NewDocument,
  type StoreReport,
} from "../../../shared/storage/index.ts";
import { ChangeLog } from "../../fixtures/storage/change-log.ts";
import {
  attrOf,
  columnsOf,
  docOfSize,
  modelChanged,
  patched,
  plotDoc,
  streamed,
  uiEvent,
} from "../../fixtures/storage/documents.ts";

/** How a backend is set up for one test. */
export interface ContractBackend {
  /** A store on this test's (initially empty) backing state; may be called more than once per test. */
  open(options?: CommonStoreOptions): Promise<DocumentStore>;
  /** Removes this test's backing state. */
  cleanup(): Promise<void>;
}

/** A clock that moves one second per call, so timestamps are distinct and predictable. */
function steppingClock(): () => Date {
  let t = Date.parse("2025-01-01T00:00:00.000Z");
  return () => new Date((t += 1000));
}

export function documentStoreContract(name: string, setup: () => Promise<ContractBackend>): void {
  describe(`DocumentStore contract: ${name}`, () => {
    let backend: ContractBackend;
    let opened: DocumentStore[];
    let reports: StoreReport[];
    let store: DocumentStore;

    async function open(options: CommonStoreOptions = {}): Promise<DocumentStore> {
      const s = await backend.open({ now: steppingClock(), report: (r) => reports.push(r), ...options });
      opened.push(s);
      return s;
    }

    function newDoc(overrides: Partial<NewDocument> = {}): NewDocument {
      return { owner: "alice", name: "plot", doc: plotDoc().doc, ...overrides };
    }

    beforeEach(async () => {
      backend = await setup();
      opened = [];
      reports = [];
      store = await open();
    });

    afterEach(async () => {
      for (const s of opened) await s.close();
      await backend.cleanup();
    });

    describe("create and read", () => {
      it("stores a document at version 1 with its metadata and gives the same Bokeh JSON back", async () => {
        const fixture = plotDoc({ title: "Sales" });
        const meta = await store.create({ owner: "alice", name: "sales", doc: fixture.doc, visibility: "shared", sharedWith: ["bob", "bob"] });
        expect(meta).toMatchObject({
          owner: "alice",
          name: "sales",
          title: "Sales",
          visibility: "shared",
          sharedWith: ["bob"],
          version: 1,
          createdAt: "2025-01-01T00:00:01.000Z",
          updatedAt: "2025-01-01T00:00:01.000Z",
        });
        expect(meta.id).toMatch(/^[A-Za-z0-9_-]{16}$/);
        expect(meta.sizeBytes).toBeGreaterThan(0);
        expect(await store.getMeta(meta.id)).toEqual(meta);
        const got = await store.get(meta.id);
        expect(got.meta).toEqual(meta);
        expect(got.doc).toEqual(fixture.doc);
      });

      it("keeps typed columns typed and compact: a 1,000,000-point Float64 column round-trips", async () => {
        const x = Float64Array.from({ length: 1_000_000 }, (_, i) => i / 7);
        const fixture = plotDoc({ x, y: x, typed: true, buffers: true });
        const meta = await store.create(newDoc({ doc: fixture.doc, buffers: fixture.buffers }));
        // Two 8,000,000-byte columns stored raw, not as 2 x 10,666,668 bytes of base64.
        expect(meta.sizeBytes).toBeGreaterThan(16_000_000);
        expect(meta.sizeBytes).toBeLessThan(16_100_000);
        await store.applyEvents(meta.id, [streamed(fixture.sourceId, { x: [-1], y: [-2] })]);
        // Read back with raw buffers, as a PULL-DOC-REPLY would carry them.
        const got = await store.get(meta.id, { bufferThreshold: 1024 });
        expect(got.buffers.map((b) => b.data.byteLength)).toEqual([8_000_008, 8_000_008]);
        const doc = Document.from_json(got.doc, new Map(got.buffers.map((b) => [b.id, b.data])));
        const data = doc.get_model_by_id(fixture.sourceId)!.get<Map<string, Float64Array>>("data");
        expect(data.get("x")).toBeInstanceOf(Float64Array);
        expect(data.get("x")!.length).toBe(1_000_001);
        expect(data.get("x")![999_999]).toBe(999_999 / 7);
        expect(data.get("y")![1_000_000]).toBe(-2);
      });

      it("refuses malformed input with bad_request and stores nothing", async () => {
        await expect(store.create({ ...newDoc(), owner: "" })).rejects.toMatchObject({ code: "bad_request", status: 400 });
        await expect(store.create(newDoc({ visibility: "everyone" as never }))).rejects.toMatchObject({ code: "bad_request" });
        await expect(store.create(newDoc({ doc: { version: "3", title: "t", roots: "nope" } as never }))).rejects.toMatchObject({
          code: "bad_request",
        });
        expect(await store.list({ owner: "alice" })).toEqual([]);
        expect(await store.usage("alice")).toBe(0);
      });

      it("answers every operation on an unknown or malformed id with 404 document_not_found", async () => {
        const notFound = { code: "document_not_found", status: 404 };
        for (const id of ["AAAAAAAAAAAAAAAA", "../../etc/passwd", ""]) {
          await expect(store.get(id)).rejects.toMatchObject(notFound);
          await expect(store.getMeta(id)).rejects.toMatchObject(notFound);
          await expect(store.replace(id, plotDoc().doc)).rejects.toMatchObject(notFound);
          await expect(store.updateMeta(id, { name: "x" })).rejects.toMatchObject(notFound);
          await expect(store.applyEvents(id, [])).rejects.toMatchObject(notFound);
          await expect(store.delete(id)).rejects.toMatchObject(notFound);
          await expect(store.subscribe(id, () => undefined)).rejects.toMatchObject(notFound);
        }
      });

      it("lists one owner's documents oldest first and counts their bytes", async () => {
        const a = await store.create(newDoc({ name: "a" }));
        const other = await store.create(newDoc({ owner: "bob", name: "b" }));
        const c = await store.create(newDoc({ name: "c", doc: docOfSize(5000) }));
        expect((await store.list({ owner: "alice" })).map((m) => m.id)).toEqual([a.id, c.id]);
        expect((await store.list({ owner: "bob" })).map((m) => m.id)).toEqual([other.id]);
        expect(await store.list({ owner: "nobody" })).toEqual([]);
        expect(await store.usage("alice")).toBe(a.sizeBytes + c.sizeBytes);
        expect(await store.usage("bob")).toBe(other.sizeBytes);
      });
    });

    describe("applyEvents", () => {
      it("applies ModelChanged, ColumnsStreamed and ColumnsPatched as one version and notifies subscribers", async () => {
        const fixture = plotDoc();
        const meta = await store.create(newDoc({ doc: fixture.doc }));
        const log = new ChangeLog();
        await store.subscribe(meta.id, log.listener);
        const next = await store.applyEvents(
          meta.id,
          [modelChanged(fixture.sliderId, "value", 7), streamed(fixture.sourceId, { x: [4], y: [8] }), patched(fixture.sourceId, { y: [[0, 40]] })],
          { origin: "session-1" },
        );
        expect(next).toMatchObject({ id: meta.id, version: 2, createdAt: meta.createdAt });
        expect(next.updatedAt > meta.updatedAt).toBe(true);
        const got = await store.get(meta.id);
        expect(got.meta).toEqual(next);
        expect(attrOf(got.doc, fixture.sliderId, "value")).toBe(7);
        expect(columnsOf(got.doc, fixture.sourceId)).toEqual({ x: [1, 2, 3, 4], y: [40, 6, 5, 8] });
        const change = await log.nth(1);
        expect(change).toMatchObject({ kind: "events", id: meta.id, version: 2, origin: "session-1" });
        expect((change as Extract<DocumentChange, { kind: "events" }>).events.map((e) => (e as { kind: string }).kind)).toEqual([
          "ModelChanged",
          "ColumnsStreamed",
          "ColumnsPatched",
        ]);
      });

      it("accepts events whose bytes come as separate buffers", async () => {
        const fixture = plotDoc({ typed: true });
        const meta = await store.create(newDoc({ doc: fixture.doc }));
        const bytes = new Uint8Array(Float64Array.of(10, 20).buffer);
        const ndarray = (id: string) => ({ type: "ndarray", array: { type: "bytes", data: { id } }, shape: [2], dtype: "float64", order: "little" });
        const event = {
          kind: "ColumnsStreamed",
          model: { id: fixture.sourceId },
          attr: "data",
          data: { type: "map", entries: [["x", ndarray("b1")], ["y", ndarray("b1")]] },
          rollover: null,
        };
        await store.applyEvents(meta.id, [event], { buffers: new Map([["b1", bytes]]) });
        expect(columnsOf((await store.get(meta.id)).doc, fixture.sourceId)).toEqual({ x: [1, 2, 3, 10, 20], y: [4, 6, 5, 10, 20] });
      });

      it("stores nothing and notifies nobody for a batch that changes nothing", async () => {
        const fixture = plotDoc();
        const meta = await store.create(newDoc({ doc: fixture.doc }));
        const log = new ChangeLog();
        await store.subscribe(meta.id, log.listener);
        expect(await store.applyEvents(meta.id, [modelChanged(fixture.sliderId, "value", 1), uiEvent(fixture.sliderId)])).toEqual(meta);
        await store.applyEvents(meta.id, [modelChanged(fixture.sliderId, "value", 2)]);
        // The first notification is the real change: the no-op batch produced none.
        expect(await log.nth(1)).toMatchObject({ kind: "events", version: 2 });
      });

      it("refuses malformed events with bad_request and keeps the stored document", async () => {
        const fixture = plotDoc();
        const meta = await store.create(newDoc({ doc: fixture.doc }));
        await expect(store.applyEvents(meta.id, [{ kind: "Nope" }])).rejects.toMatchObject({ code: "bad_request" });
        await expect(store.applyEvents(meta.id, [modelChanged("p999999", "value", 1)])).rejects.toMatchObject({ code: "bad_request" });
        await expect(store.applyEvents(meta.id, "x" as never)).rejects.toMatchObject({ code: "bad_request" });
        expect(await store.get(meta.id)).toEqual({ meta, doc: fixture.doc, buffers: [] });
      });

      it("applies a batch all or nothing: a later event that does not fit undoes the earlier ones", async () => {
        const fixture = plotDoc();
        const meta = await store.create(newDoc({ doc: fixture.doc }));
        const batch = [modelChanged(fixture.sliderId, "value", 9), streamed(fixture.sourceId, { x: [1] })]; // y is missing
        await expect(store.applyEvents(meta.id, batch)).rejects.toMatchObject({ code: "bad_request" });
        const got = await store.get(meta.id);
        expect(got.meta.version).toBe(1);
        expect(attrOf(got.doc, fixture.sliderId, "value")).toBe(1);
        // And the next write starts from the stored state, not the half-applied one.
        await store.applyEvents(meta.id, [streamed(fixture.sourceId, { x: [4], y: [7] })]);
        const after = await store.get(meta.id);
        expect(attrOf(after.doc, fixture.sliderId, "value")).toBe(1);
        expect(columnsOf(after.doc, fixture.sourceId).x).toEqual([1, 2, 3, 4]);
      });

      it("serializes concurrent batches on one document: no update is lost", async () => {
        const fixture = plotDoc({ x: [], y: [] });
        const meta = await store.create(newDoc({ doc: fixture.doc }));
        const n = 20;
        const results = await Promise.all(
          Array.from({ length: n }, (_, i) => store.applyEvents(meta.id, [streamed(fixture.sourceId, { x: [i], y: [i] })])),
        );
        expect(results.map((r) => r.version).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 2));
        const got = await store.get(meta.id);
        expect(got.meta.version).toBe(n + 1);
        expect(columnsOf(got.doc, fixture.sourceId).x.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      });

      it("with expectedVersion, lets exactly one of several concurrent writers win and gives the others a 409", async () => {
        const fixture = plotDoc();
        const meta = await store.create(newDoc({ doc: fixture.doc }));
        const settled = await Promise.allSettled(
          [3, 4, 5].map((v) => store.applyEvents(meta.id, [modelChanged(fixture.sliderId, "value", v)], { expectedVersion: 1 })),
        );
        expect(settled.filter((s) => s.status === "fulfilled")).toHaveLength(1);
        const rejected = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
        expect(rejected).toHaveLength(2);
        for (const r of rejected) {
          expect(r.reason).toBeInstanceOf(VersionConflictError);
          expect(r.reason).toMatchObject({ code: "conflict", status: 409, expected: 1, actual: 2 });
        }
        expect((await store.getMeta(meta.id)).version).toBe(2);
      });
    });

    describe("replace, updateMeta, delete", () => {
      it("replace swaps the content as the next version and tells subscribers to reload", async () => {
        const meta = await store.create(newDoc());
        const log = new ChangeLog();
        await store.subscribe(meta.id, log.listener);
        const other = plotDoc({ x: [9], y: [9], title: "Other" });
        const next = await store.replace(meta.id, other.doc, { expectedVersion: 1, origin: "api" });
        expect(next.version).toBe(2);
        expect(await store.get(meta.id)).toEqual({ meta: next, doc: other.doc, buffers: [] });
        expect(await log.nth(1)).toEqual({ kind: "replaced", id: meta.id, version: 2, origin: "api" });
        await expect(store.replace(meta.id, other.doc, { expectedVersion: 1 })).rejects.toMatchObject({ code: "conflict", actual: 2 });
        await expect(store.replace(meta.id, { roots: 1 } as never)).rejects.toMatchObject({ code: "bad_request" });
      });

      it("updateMeta changes name, title, visibility and sharing without bumping the version", async () => {
        const meta = await store.create(newDoc());
        const log = new ChangeLog();
        await store.subscribe(meta.id, log.listener);
        const next = await store.updateMeta(meta.id, { name: "renamed", visibility: "public", sharedWith: ["carol"] }, { origin: "api" });
        expect(next).toMatchObject({ name: "renamed", title: meta.title, visibility: "public", sharedWith: ["carol"], version: 1 });
        expect(next.updatedAt > meta.updatedAt).toBe(true);
        expect(await store.getMeta(meta.id)).toEqual(next);
        expect(await log.nth(1)).toEqual({ kind: "meta", id: meta.id, version: 1, meta: next, origin: "api" });
        await expect(store.updateMeta(meta.id, { owner: "mallory" } as never)).rejects.toMatchObject({ code: "bad_request" });
        await expect(store.updateMeta(meta.id, { visibility: "everyone" as never })).rejects.toMatchObject({ code: "bad_request" });
        expect(await store.getMeta(meta.id)).toEqual(next);
      });

      it("delete removes the document, frees its bytes and tells subscribers", async () => {
        const meta = await store.create(newDoc());
        const kept = await store.create(newDoc({ name: "kept" }));
        const log = new ChangeLog();
        await store.subscribe(meta.id, log.listener);
        await expect(store.delete(meta.id, { expectedVersion: 2 })).rejects.toMatchObject({ code: "conflict" });
        await store.delete(meta.id, { expectedVersion: 1, origin: "api" });
        expect(await log.nth(1)).toEqual({ kind: "deleted", id: meta.id, version: 1, origin: "api" });
        await expect(store.get(meta.id)).rejects.toMatchObject({ code: "document_not_found" });
        expect((await store.list({ owner: "alice" })).map((m) => m.id)).toEqual([kept.id]);
        expect(await store.usage("alice")).toBe(kept.sizeBytes);
      });
    });

    describe("subscriptions", () => {
      it("delivers changes in version order until unsubscribed, and isolates a failing listener", async () => {
        const fixture = plotDoc();
        const meta = await store.create(newDoc({ doc: fixture.doc }));
        const stays = new ChangeLog();
        const leaves = new ChangeLog();
        await store.subscribe(meta.id, () => {
          throw new Error("listener bug");
        });
        await store.subscribe(meta.id, stays.listener);
        const unsubscribe = await store.subscribe(meta.id, leaves.listener);
        for (let v = 2; v <= 4; v++) await store.applyEvents(meta.id, [modelChanged(fixture.sliderId, "value", v)]);
        expect((await stays.nth(3)).version).toBe(4);
        expect(stays.changes.map((c) => c.version)).toEqual([2, 3, 4]);
        expect((await leaves.nth(3)).version).toBe(4);
        unsubscribe();
        await store.applyEvents(meta.id, [modelChanged(fixture.sliderId, "value", 5)]);
        await stays.nth(4);
        expect(leaves.changes).toHaveLength(3);
        expect(reports.filter((r) => r.kind === "listener_failed")).toHaveLength(4);
      });
    });

    describe("size limits", () => {
      it("refuses a document over the per-document limit with a 413, on create and on growth", async () => {
        const small = await open({ limits: { maxDocumentBytes: 4000 } });
        const err = await small.create(newDoc({ doc: docOfSize(5000) })).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(StorageLimitError);
        expect(err).toMatchObject({ code: "payload_too_large", status: 413, scope: "document", limit: 4000 });
        const fixture = plotDoc({ x: [], y: [] });
        const meta = await small.create(newDoc({ doc: fixture.doc }));
        const big = Array.from({ length: 500 }, (_, i) => i + 0.5);
        await expect(small.applyEvents(meta.id, [streamed(fixture.sourceId, { x: big, y: big })])).rejects.toMatchObject({
          status: 413,
          scope: "document",
        });
        expect(await small.get(meta.id)).toEqual({ meta, doc: fixture.doc, buffers: [] });
        await expect(small.replace(meta.id, docOfSize(5000))).rejects.toMatchObject({ status: 413 });
      });

      it("counts the per-user quota across an owner's documents and frees it when they shrink or go", async () => {
        const one = docOfSize(3000);
        const probe = await store.create(newDoc({ owner: "probe", doc: one }));
        const limited = await open({ limits: { maxUserBytes: probe.sizeBytes * 2 + 100 } });
        const a = await limited.create(newDoc({ doc: one }));
        await limited.create(newDoc({ doc: one }));
        const err = await limited.create(newDoc({ doc: one })).catch((e: unknown) => e);
        expect(err).toMatchObject({ code: "payload_too_large", status: 413, scope: "user" });
        expect((err as StorageLimitError).size).toBe(probe.sizeBytes * 3);
        await limited.create(newDoc({ owner: "bob", doc: one }));
        const shrunk = await limited.replace(a.id, plotDoc().doc);
        expect(await limited.usage("alice")).toBe(probe.sizeBytes + shrunk.sizeBytes);
        await expect(limited.create(newDoc({ doc: one }))).rejects.toMatchObject({ scope: "user" });
        await limited.delete(a.id);
        await limited.create(newDoc({ doc: one }));
        expect(await limited.usage("alice")).toBe(probe.sizeBytes * 2);
      });
    });

    it("refuses every call after close", async () => {
      const meta = await store.create(newDoc());
      await store.close();
      await expect(store.get(meta.id)).rejects.toThrow(/closed/);
      await expect(store.create(newDoc())).rejects.toThrow(/closed/);
    });
  });
}
