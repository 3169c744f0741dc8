import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStore } from "../../shared/storage/create-store.ts";
import type { DocumentStore } from "../../shared/storage/index.ts";
import { createLogger } from "../../shared/logging/create-logger.ts";
import { ProtocolConnection } from "../../shared/session/protocol-connection.ts";
import { Receiver, encodeMessage, patchDocFromClient, pullDocReq, type Message } from "../../shared/protocol/index.ts";
import { LiveDocuments } from "../../gateway/src/docs/live-documents.ts";
import type { AccessMode } from "../../gateway/src/docs/published-session.ts";

const fixture = JSON.parse(fs.readFileSync(new URL("../fixtures/bokeh-3.6-docs/line_scatter_hover.json", import.meta.url), "utf8"));
const SOURCE = "p1001";
const rename = (name: string) => ({ kind: "ModelChanged", model: { id: SOURCE }, attr: "name", new: name });
const isPatch = (m: Message) => m.header.msgtype === "PATCH-DOC";

/**
 * One viewer on the live session, as the gateway's doc sockets wire it (a ProtocolConnection on the shared
 * PublishedSession), through a socket that decodes what the server sends and tells `onMessage` at once.
 */
class Viewer {
  readonly got: Message[] = [];
  private readonly receiver = new Receiver();
  private waiters: Array<{ msgid: string; resolve: (m: Message) => void }> = [];
  conn!: ProtocolConnection;

  constructor(readonly name: string, private readonly onMessage: (v: Viewer, m: Message) => void) {}

  static async join(live: LiveDocuments, docId: string, name: string, mode: AccessMode, onMessage: (v: Viewer, m: Message) => void): Promise<Viewer> {
    const v = new Viewer(name, onMessage);
    const { session } = await live.join(docId, { stillAllowed: () => true, close: () => {} });
    v.conn = new ProtocolConnection({ send: (f) => v.receive(f), close: () => {} }, session, { maxMessageBytes: 1 << 26, binaryThresholdBytes: 64 });
    session.setMode(v.conn, mode);
    await v.request(pullDocReq());
    return v;
  }

  patches(): number {
    return this.got.filter(isPatch).length;
  }

  /** Sends a message and resolves with its reply (OK, ERROR, PULL-DOC-REPLY). */
  request(msg: Message): Promise<Message> {
    const reply = new Promise<Message>((resolve) => this.waiters.push({ msgid: msg.header.msgid, resolve }));
    for (const frame of encodeMessage(msg)) this.conn.handleFrame(frame);
    return reply;
  }

  private receive(frame: string | Uint8Array): void {
    const m = this.receiver.consume(frame);
    if (!m) return;
    this.got.push(m);
    this.onMessage(this, m);
    const i = this.waiters.findIndex((w) => w.msgid === m.header.reqid);
    if (i >= 0) this.waiters.splice(i, 1)[0].resolve(m);
  }
}

describe("live published documents: persisted before acknowledged, pushed to every viewer in the same turn", () => {
  let dir: string;
  let inner: DocumentStore;
  let store: DocumentStore;
  let live: LiveDocuments;
  /** Per document, the highest version whose write the (file) store has acknowledged, i.e. fsynced to disk. */
  const persisted = new Map<string, number>();

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-push-"));
    inner = await createStore({ backend: "file", directory: dir });
    // The store as LiveDocuments and the HTTP API use it, noting when each write's promise resolved.
    store = new Proxy(inner, {
      get(target, key) {
        if (key === "applyEvents") {
          return async (...args: Parameters<DocumentStore["applyEvents"]>) => {
            const meta = await target.applyEvents(...args);
            persisted.set(meta.id, Math.max(persisted.get(meta.id) ?? 0, meta.version));
            return meta;
          };
        }
        const value = Reflect.get(target, key) as unknown;
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    live = new LiveDocuments(store, { logger: createLogger({ level: "silent", name: "test" }), idleUnloadMs: 60_000, binaryThresholdBytes: 64 });
  });
  afterAll(async () => {
    await live?.close();
    await inner?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Joins three viewers. When the first of them receives a PATCH-DOC, a microtask then records how many each one
   * has: a microtask runs before the event loop gets control back, so all of them having it means the change
   * reached every viewer in that same turn (no viewer waits for I/O, a timer or another turn).
   */
  async function threeViewers(docId: string, onMessage: (v: Viewer, m: Message, all: readonly Viewer[]) => void = () => {}) {
    let atFirstPatch: Record<string, number> | null = null;
    const viewers: Viewer[] = [];
    const watch = (v: Viewer, m: Message) => {
      onMessage(v, m, viewers);
      if (!isPatch(m) || atFirstPatch) return;
      atFirstPatch = {};
      queueMicrotask(() => {
        atFirstPatch = Object.fromEntries(viewers.map((x) => [x.name, x.patches()]));
      });
    };
    for (const [name, mode] of [["a", "interact"], ["b", "view"], ["c", "view"]] as const) viewers.push(await Viewer.join(live, docId, name, mode, watch));
    return { viewers, atFirstPatch: () => atFirstPatch };
  }

  it("a viewer's change is stored before its OK, and the other viewers have it before that OK", async () => {
    const { id } = await store.create({ owner: "ana", name: "push", doc: fixture });
    let atOk: { persisted: number | undefined; b: number; c: number } | null = null;
    const { viewers: [a], atFirstPatch } = await threeViewers(id, (v, m, all) => {
      if (v.name === "a" && m.header.msgtype === "OK") atOk = { persisted: persisted.get(id), b: all[1].patches(), c: all[2].patches() };
    });
    const reply = await a.request(patchDocFromClient({ events: [rename("from-a")] }));
    expect(reply.header.msgtype).toBe("OK");
    expect(atOk).toEqual({ persisted: 2, b: 1, c: 1 });
    // The author is not echoed its own change; both others got it in the same turn.
    expect(atFirstPatch()).toEqual({ a: 0, b: 1, c: 1 });
    expect(JSON.stringify((await inner.get(id)).doc)).toContain("from-a");
  });

  it("a change written through the store (the HTTP API, a script) reaches every viewer in the same turn", async () => {
    const { id } = await store.create({ owner: "ana", name: "push-api", doc: fixture });
    let resolveAll!: () => void;
    const allGotIt = new Promise<void>((resolve) => { resolveAll = resolve; });
    const { viewers, atFirstPatch } = await threeViewers(id, (_v, _m, all) => {
      if (all.length === 3 && all.every((v) => v.patches() === 1)) resolveAll();
    });
    await store.applyEvents(id, [rename("from-api")], { origin: "api:test" });
    await allGotIt;
    expect(atFirstPatch()).toEqual({ a: 1, b: 1, c: 1 });
    for (const v of viewers) expect(JSON.stringify(v.got.find(isPatch)!.content)).toContain("from-api");
  });
});
