// The worker's side of restorable sessions, in-process: the journal (snapshot, changes, confirmations) and the
// session that holds a client's OK until its change is confirmed saved.
import { describe, expect, it } from "vitest";
import { Div, Document, type Model } from "../../../shared/index.ts";
import { Receiver, encodeMessage, patchDocFromClient, parseServerMessage, type Message } from "../../../shared/protocol/index.ts";
import { ProtocolConnection, type FrameSocket } from "../../../shared/session/index.ts";
import type { WorkerEvent } from "../../../shared/protocol/worker-events.ts";
import { SessionJournal } from "../../../worker/src/session-journal.ts";
import { RestorableSession } from "../../../worker/src/restorable-session.ts";

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

function journalOf(opts: { snapshotEvery?: number; confirmTimeoutMs?: number } = {}) {
  const written: WorkerEvent[] = [];
  let onWrite = () => {};
  const journal = new SessionJournal({ write: (e) => (written.push(e), onWrite()), ...opts });
  /** Resolves once `n` events have been written. */
  const wrote = (n: number) => new Promise<void>((resolve) => {
    onWrite = () => void (written.length >= n && resolve());
    onWrite();
  });
  return { journal, written, wrote };
}

function docWithDiv(): { doc: Document; div: Model } {
  const doc = new Document();
  const div = new Div({ name: "d", text: "a" });
  doc.add_root(div);
  return { doc, div };
}

describe("SessionJournal", () => {
  it("writes a snapshot when tracking starts, then each tick's changes as one numbered batch", async () => {
    const { journal, written } = journalOf();
    const { doc, div } = docWithDiv();
    journal.track("s1", doc);
    expect(written).toEqual([{ event: "snapshot", id: "s1", seq: 1, doc: doc.to_json() }]);
    div.set("text", "b");
    div.set("text", "c");
    await nextTick();
    expect(written[1]).toMatchObject({ event: "changes", id: "s1", seq: 2, events: [{ kind: "ModelChanged", attr: "text", new: "b" }, { new: "c" }] });
    expect(journal.flush("s1")).toBe(2);
  });

  it("continues a restored session's numbering, and replaces the log with a snapshot every N changes", async () => {
    const { journal, written } = journalOf({ snapshotEvery: 3 });
    const { doc, div } = docWithDiv();
    journal.track("s1", doc, 41);
    div.set("text", "b");
    expect(journal.flush("s1")).toBe(43);
    for (const t of ["c", "d", "e"]) div.set("text", t);
    expect(journal.flush("s1")).toBe(44);
    expect(written.map((e) => [e.event, (e as { seq: number }).seq])).toEqual([["snapshot", 42], ["changes", 43], ["snapshot", 44]]);
    expect(Document.from_json((written[2] as unknown as { doc: Parameters<typeof Document.from_json>[0] }).doc).get_model_by_name("d")?.get("text")).toBe("e");
  });

  it("persisted() waits for the confirmation of that seq, and fails with session_not_saved after the timeout", async () => {
    const { journal } = journalOf({ confirmTimeoutMs: 50 });
    const { doc, div } = docWithDiv();
    journal.track("s1", doc);
    div.set("text", "b");
    const seq = journal.flush("s1");
    let done = false;
    const saved = journal.persisted("s1", seq).then(() => void (done = true));
    journal.confirm("s1", seq - 1);
    await nextTick();
    expect(done).toBe(false);
    journal.confirm("s1", seq);
    await saved;
    div.set("text", "c");
    await expect(journal.persisted("s1", journal.flush("s1"))).rejects.toMatchObject({ code: "session_not_saved" });
  });
});

/** A FrameSocket that decodes the server's messages as a client would. */
class FakeSocket implements FrameSocket {
  readonly messages: Message[] = [];
  private readonly receiver = new Receiver({ maxMessageBytes: 1 << 20 });
  private waiters: Array<() => void> = [];
  send(frame: string | Uint8Array): void {
    const raw = this.receiver.consume(frame);
    if (!raw) return;
    this.messages.push(parseServerMessage(raw));
    for (const w of this.waiters.splice(0)) w();
  }
  close(): void {}
  /** The next message of this type, waiting for it (bounded). */
  async next(msgtype: string): Promise<Message> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const m = this.messages.find((x) => x.header.msgtype === msgtype);
      if (m) {
        this.messages.splice(this.messages.indexOf(m), 1);
        return m;
      }
      if (Date.now() > deadline) throw new Error(`no ${msgtype} within 5 s`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }
}

describe("RestorableSession", () => {
  const setup = (confirmTimeoutMs: number) => {
    const { journal, written, wrote } = journalOf({ confirmTimeoutMs });
    const { doc, div } = docWithDiv();
    const session = new RestorableSession("s1", doc, { binaryThresholdBytes: 64, onCallbackError: () => {} }, journal);
    session.startJournal();
    const socket = new FakeSocket();
    const conn = new ProtocolConnection(socket, session, { maxMessageBytes: 1 << 20, binaryThresholdBytes: 64 });
    const patch = (text: string) => {
      for (const f of encodeMessage(patchDocFromClient({ events: [{ kind: "ModelChanged", model: { id: div.id }, attr: "text", new: text }] }))) conn.handleFrame(f);
    };
    return { journal, written, wrote, socket, patch, div, session };
  };

  it("answers a client's PATCH-DOC with OK only once the change is confirmed saved", async () => {
    const { journal, written, wrote, socket, patch, div, session } = setup(5000);
    await socket.next("ACK");
    patch("from client");
    await wrote(2); // the change is applied and journaled; its OK waits for the confirmation
    expect(div.get("text")).toBe("from client");
    expect(socket.messages.some((m) => m.header.msgtype === "OK")).toBe(false);
    const last = written.at(-1)!;
    expect(last).toMatchObject({ event: "changes", seq: 2 });
    journal.confirm("s1", 2);
    await socket.next("OK");
    await session.destroy();
  });

  it("answers ERROR (session_not_saved) when no confirmation arrives in time, never hangs", async () => {
    const { socket, patch, session } = setup(50);
    await socket.next("ACK");
    patch("unsaved");
    const err = await socket.next("ERROR");
    expect((err.content as { text: string }).text).toMatch(/not saved in time/);
    await session.destroy();
  });
});
