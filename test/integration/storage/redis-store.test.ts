// The Redis backend as several processes use it: two store instances, each with its own ioredis connections (as two
// gateway/worker processes would have), on one real Redis server and one key prefix.
import { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DocumentStore, StoreReport } from "../../../shared/storage/index.ts";
import { openRedisStore, type RedisStoreOptions } from "../../../shared/storage/redis.ts";
import { ChangeLog } from "../../fixtures/storage/change-log.ts";
import { attrOf, columnsOf, docOfSize, modelChanged, plotDoc, streamed } from "../../fixtures/storage/documents.ts";
import { REDIS_URL, deleteKeys, redisTestPrefix } from "../../fixtures/storage/redis.ts";

describe("redis document store across processes", () => {
  let prefix: string;
  let stores: DocumentStore[];
  let clients: Redis[];
  let reports: StoreReport[];

  async function open(options: Partial<RedisStoreOptions> = {}): Promise<DocumentStore> {
    const store = await openRedisStore({ url: REDIS_URL, keyPrefix: prefix, report: (r) => reports.push(r), ...options });
    stores.push(store);
    return store;
  }

  function client(): Redis {
    const c = new Redis(REDIS_URL);
    clients.push(c);
    return c;
  }

  beforeEach(() => {
    prefix = redisTestPrefix();
    stores = [];
    clients = [];
    reports = [];
  });

  afterEach(async () => {
    for (const s of stores) await s.close();
    for (const c of clients) await c.quit();
    await deleteKeys([prefix]);
  });

  it("delivers a change made through one instance to a subscriber of the other, with its origin", async () => {
    const [a, b] = [await open(), await open()];
    const fixture = plotDoc();
    const meta = await a.create({ owner: "alice", name: "shared", doc: fixture.doc });
    const onB = new ChangeLog();
    const onA = new ChangeLog();
    await b.subscribe(meta.id, onB.listener);
    await a.subscribe(meta.id, onA.listener);
    await a.applyEvents(meta.id, [streamed(fixture.sourceId, { x: [4], y: [7] })], { origin: "viewer-on-a" });
    const change = await onB.nth(1);
    expect(change).toMatchObject({ kind: "events", id: meta.id, version: 2, origin: "viewer-on-a" });
    expect(await onA.nth(1)).toEqual(change);
    // The events are ready to forward: applied to B's own copy of the document they give B's stored state.
    expect(columnsOf((await b.get(meta.id)).doc, fixture.sourceId)).toEqual({ x: [1, 2, 3, 4], y: [4, 6, 5, 7] });
    await b.updateMeta(meta.id, { visibility: "public" }, { origin: "api-on-b" });
    expect(await onA.nth(2)).toMatchObject({ kind: "meta", version: 2, meta: { visibility: "public", version: 2 }, origin: "api-on-b" });
    await b.replace(meta.id, plotDoc().doc);
    expect(await onA.nth(3)).toMatchObject({ kind: "replaced", version: 3, origin: null });
    await a.delete(meta.id);
    expect(await onB.nth(4)).toEqual({ kind: "deleted", id: meta.id, version: 3, origin: null });
    expect(onB.changes.map((c) => c.kind)).toEqual(["events", "meta", "replaced", "deleted"]);
  });

  it("loses no update when both instances write the same document concurrently", async () => {
    const [a, b] = [await open(), await open()];
    const fixture = plotDoc({ x: [], y: [] });
    const meta = await a.create({ owner: "alice", name: "race", doc: fixture.doc });
    const n = 15;
    const write = (store: DocumentStore, base: number) =>
      Array.from({ length: n }, (_, i) => store.applyEvents(meta.id, [streamed(fixture.sourceId, { x: [base + i], y: [0] })]));
    await Promise.all([...write(a, 0), ...write(b, 100)]);
    const expected = [...Array.from({ length: n }, (_, i) => i), ...Array.from({ length: n }, (_, i) => 100 + i)];
    for (const store of [a, b]) {
      const got = await store.get(meta.id);
      expect(got.meta.version).toBe(2 * n + 1);
      expect(columnsOf(got.doc, fixture.sourceId).x.sort((p, q) => p - q)).toEqual(expected);
    }
  });

  it("with the same expectedVersion on both instances, exactly one write wins and the other gets a 409", async () => {
    const [a, b] = [await open(), await open()];
    const fixture = plotDoc();
    const meta = await a.create({ owner: "alice", name: "race", doc: fixture.doc });
    await b.get(meta.id); // B has version 1 cached
    const settled = await Promise.allSettled([
      a.applyEvents(meta.id, [modelChanged(fixture.sliderId, "value", 5)], { expectedVersion: 1 }),
      b.applyEvents(meta.id, [modelChanged(fixture.sliderId, "value", 6)], { expectedVersion: 1 }),
    ]);
    expect(settled.map((s) => s.status).sort()).toEqual(["fulfilled", "rejected"]);
    const loser = settled.find((s): s is PromiseRejectedResult => s.status === "rejected")!;
    expect(loser.reason).toMatchObject({ code: "conflict", status: 409, expected: 1, actual: 2 });
    const winner = settled.findIndex((s) => s.status === "fulfilled");
    expect(attrOf((await b.get(meta.id)).doc, fixture.sliderId, "value")).toBe(winner === 0 ? 5 : 6);
  });

  it("never serves a stale cached copy: an instance sees the other's change on its next read and write", async () => {
    const [a, b] = [await open(), await open()];
    const fixture = plotDoc();
    const meta = await a.create({ owner: "alice", name: "cache", doc: fixture.doc });
    expect(attrOf((await b.get(meta.id)).doc, fixture.sliderId, "value")).toBe(1);
    await a.applyEvents(meta.id, [modelChanged(fixture.sliderId, "value", 2)]);
    expect(attrOf((await b.get(meta.id)).doc, fixture.sliderId, "value")).toBe(2);
    await a.applyEvents(meta.id, [modelChanged(fixture.sliderId, "value", 3)]);
    await b.applyEvents(meta.id, [streamed(fixture.sourceId, { x: [9], y: [9] })]);
    const got = await a.get(meta.id);
    expect(got.meta.version).toBe(4);
    expect(attrOf(got.doc, fixture.sliderId, "value")).toBe(3);
    expect(columnsOf(got.doc, fixture.sourceId).x).toEqual([1, 2, 3, 9]);
  });

  it("holds one owner's quota when both instances create documents at once", async () => {
    const probe = await (await open()).create({ owner: "probe", name: "p", doc: docOfSize(3000) });
    const limits = { maxUserBytes: probe.sizeBytes * 3 + 100 };
    const [a, b] = [await open({ limits }), await open({ limits })];
    const settled = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).create({ owner: "alice", name: `d${i}`, doc: docOfSize(3000) })),
    );
    expect(settled.filter((s) => s.status === "fulfilled")).toHaveLength(3);
    for (const s of settled.filter((s): s is PromiseRejectedResult => s.status === "rejected")) {
      expect(s.reason).toMatchObject({ code: "payload_too_large", status: 413, scope: "user" });
    }
    expect(await b.usage("alice")).toBe(probe.sizeBytes * 3);
  });

  it("keeps small changes in a log folded into the body when it outgrows it; a cold instance replays it", async () => {
    const a = await open({ compaction: { minLogBytes: 1024 } });
    const raw = client();
    const fixture = plotDoc({ x: [], y: [] });
    const meta = await a.create({ owner: "alice", name: "stream", doc: fixture.doc });
    let longest = 0;
    let folds = 0;
    for (let i = 0; i < 40; i++) {
      await a.applyEvents(meta.id, [streamed(fixture.sourceId, { x: [i], y: [i] })]);
      const length = await raw.llen(`${prefix}log:${meta.id}`);
      if (length < longest) folds++;
      longest = Math.max(longest, length);
    }
    expect(folds).toBeGreaterThan(1);
    expect(await raw.llen(`${prefix}log:${meta.id}`)).toBeGreaterThan(0);
    const cold = await open();
    const got = await cold.get(meta.id);
    expect(got).toEqual(await a.get(meta.id));
    expect(got.meta.version).toBe(41);
    expect(columnsOf(got.doc, fixture.sourceId).x).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it("announces a batch too large to broadcast as `replaced`", async () => {
    const a = await open({ maxPublishBytes: 2000 });
    const fixture = plotDoc({ x: [], y: [] });
    const meta = await a.create({ owner: "alice", name: "big", doc: fixture.doc });
    const log = new ChangeLog();
    await a.subscribe(meta.id, log.listener);
    const many = Array.from({ length: 300 }, (_, i) => i + 0.25);
    await a.applyEvents(meta.id, [streamed(fixture.sourceId, { x: many, y: many })], { origin: "o" });
    await a.applyEvents(meta.id, [streamed(fixture.sourceId, { x: [1], y: [1] })]);
    expect(await log.nth(1)).toEqual({ kind: "replaced", id: meta.id, version: 2, origin: "o" });
    expect(await log.nth(2)).toMatchObject({ kind: "events", version: 3 });
  });

  it("reports and ignores a pub/sub message that is not a change notification", async () => {
    const a = await open();
    const fixture = plotDoc();
    const meta = await a.create({ owner: "alice", name: "x", doc: fixture.doc });
    const log = new ChangeLog();
    await a.subscribe(meta.id, log.listener);
    await client().publish(`${prefix}changes:${meta.id}`, "{not json");
    await a.applyEvents(meta.id, [modelChanged(fixture.sliderId, "value", 2)]);
    expect(await log.nth(1)).toMatchObject({ kind: "events", version: 2 });
    expect(reports).toEqual([{ kind: "bad_message", channel: `${prefix}changes:${meta.id}`, reason: "not JSON" }]);
  });

  it("uses a client it is given without closing it, and reports a damaged body instead of serving it", async () => {
    const given = client();
    const store = await openRedisStore({ client: given, keyPrefix: prefix, report: (r) => reports.push(r) });
    const meta = await store.create({ owner: "alice", name: "x", doc: plotDoc().doc });
    await store.close();
    expect(await given.hget(`${prefix}doc:${meta.id}`, "version")).toBe("1");
    await given.hset(`${prefix}doc:${meta.id}`, "body", "garbage");
    const fresh = await open();
    await expect(fresh.get(meta.id)).rejects.toMatchObject({ code: "internal" });
    expect(reports).toEqual([expect.objectContaining({ kind: "corrupt", id: meta.id, action: "skipped", reason: expect.stringMatching(/magic/) })]);
  });
});
