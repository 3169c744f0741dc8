import { expect, it } from "vitest";
import { MemorySessionSnapshots } from "../../../gateway/src/sessions/memory-session-snapshots.ts";
import { sessionSnapshotsContract } from "./session-snapshots.contract.ts";

sessionSnapshotsContract("memory", async () => {
  let now = Date.parse("2026-01-01T00:00:00Z");
  return {
    open: async (opts) => new MemorySessionSnapshots({ ...opts, now: () => now }),
    expire: async () => void (now += 2000),
    cleanup: async () => {},
  };
});

it("keeps at most maxSessions, dropping the least recently written", async () => {
  const store = new MemorySessionSnapshots({ maxSessions: 2 });
  const doc = { version: "3.10.0", title: "", roots: [] };
  await store.saveSnapshot("/a", "s1", 1, doc);
  await store.saveSnapshot("/a", "s2", 1, doc);
  await store.appendChanges("/a", "s1", 2, []);
  await store.saveSnapshot("/a", "s3", 1, doc);
  expect(await store.load("/a", "s2")).toBeNull();
  expect(await store.load("/a", "s1")).not.toBeNull();
  expect(await store.load("/a", "s3")).not.toBeNull();
});
