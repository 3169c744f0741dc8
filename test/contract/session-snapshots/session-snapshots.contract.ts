// The one contract every SessionSnapshots implementation passes (STYLE rule 3); `*.test.ts` files next to this one
// run it per backend.
import { afterEach, describe, expect, it } from "vitest";
import type { DocJson } from "../../../shared/index.ts";
import type { SessionSnapshots } from "../../../gateway/src/sessions/session-snapshots.ts";

export interface SnapshotsBackend {
  /** A store on this test's (initially empty) state; `ttlS` overrides the default TTL. */
  open(opts?: { ttlS?: number }): Promise<SessionSnapshots>;
  /** Makes saved state older than its TTL (memory: a clock; Redis: waits the TTL out). */
  expire(): Promise<void>;
  cleanup(): Promise<void>;
}

const doc = (title: string): DocJson => ({ version: "3.10.0", title, roots: [{ type: "object", name: "Div", id: "p1", attributes: { text: title } }] });
const change = (text: string) => [{ kind: "ModelChanged", model: { id: "p1" }, attr: "text", new: text }];

export function sessionSnapshotsContract(name: string, backend: () => Promise<SnapshotsBackend>): void {
  describe(`SessionSnapshots (${name})`, () => {
    let b: SnapshotsBackend;
    const stores: SessionSnapshots[] = [];
    const open = async (opts?: { ttlS?: number }) => {
      b ??= await backend();
      const s = await b.open(opts);
      stores.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of stores.splice(0)) await s.close();
      await b?.cleanup();
    });

    it("returns null for a session nothing was saved for", async () => {
      const s = await open();
      expect(await s.load("/alice/sales", "nope")).toBeNull();
    });

    it("loads the snapshot and the changes after it, in order", async () => {
      const s = await open();
      await s.saveSnapshot("/alice/sales", "s1", 1, doc("a"));
      await s.appendChanges("/alice/sales", "s1", 2, change("b"));
      await s.appendChanges("/alice/sales", "s1", 3, change("c"));
      expect(await s.load("/alice/sales", "s1")).toEqual({
        snapshot: { seq: 1, doc: doc("a") },
        changes: [{ seq: 2, events: change("b") }, { seq: 3, events: change("c") }],
      });
    });

    it("a new snapshot replaces the change log; batches at or below its seq are dropped", async () => {
      const s = await open();
      await s.saveSnapshot("/a/b", "s1", 1, doc("a"));
      await s.appendChanges("/a/b", "s1", 2, change("b"));
      await s.saveSnapshot("/a/b", "s1", 3, doc("b"));
      await s.appendChanges("/a/b", "s1", 3, change("late"));
      await s.appendChanges("/a/b", "s1", 4, change("c"));
      expect(await s.load("/a/b", "s1")).toEqual({ snapshot: { seq: 3, doc: doc("b") }, changes: [{ seq: 4, events: change("c") }] });
    });

    it("keeps apps apart: one app never sees another's session of the same id", async () => {
      const s = await open();
      await s.saveSnapshot("/alice/sales", "same", 1, doc("alice"));
      expect(await s.load("/bob/sales", "same")).toBeNull();
      await s.saveSnapshot("/bob/sales", "same", 1, doc("bob"));
      await s.delete("/bob/sales", "same");
      expect((await s.load("/alice/sales", "same"))?.snapshot.doc.title).toBe("alice");
    });

    it("delete removes the snapshot and its log", async () => {
      const s = await open();
      await s.saveSnapshot("/a/b", "s1", 1, doc("a"));
      await s.appendChanges("/a/b", "s1", 2, change("b"));
      await s.delete("/a/b", "s1");
      expect(await s.load("/a/b", "s1")).toBeNull();
      await s.appendChanges("/a/b", "s1", 3, change("c"));
      expect(await s.load("/a/b", "s1")).toBeNull();
    });

    it("saved state expires after the TTL without writes", async () => {
      const s = await open({ ttlS: 1 });
      await s.saveSnapshot("/a/b", "s1", 1, doc("a"));
      await s.appendChanges("/a/b", "s1", 2, change("b"));
      await b.expire();
      expect(await s.load("/a/b", "s1")).toBeNull();
    });
  });
}
