// Crash safety of the file backend: a child process streams acknowledged writes into a store and dies by SIGKILL
// mid-stream (killed from outside at an arbitrary point, or killing itself halfway through writing a snapshot or
// a log record); every write it acknowledged must be there when the store is reopened, and nothing torn is served.
import { spawn } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openFileStore } from "../../../shared/storage/file.ts";
import type { DocumentStore, StoreReport } from "../../../shared/storage/index.ts";
import { columnsOf, columnsOfSource } from "../../fixtures/storage/documents.ts";

const WRITER = fileURLToPath(new URL("../../fixtures/storage/ack-writer.ts", import.meta.url));

interface Run {
  id: string;
  sourceId: string;
  wholeId: string;
  lastAck: number;
  lastReplaced: number;
  created: string[];
}

/**
 * Runs the writer (with `args`) until it dies; with `killAfter`, SIGKILLs it once it has acknowledged that many
 * stream writes (so it dies in the middle of a later round). Returns everything it acknowledged before it died.
 */
async function runWriter(dir: string, args: string[], killAfter?: number): Promise<Run> {
  const child = spawn(process.execPath, ["--import", "tsx", WRITER, dir, ...args], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
  const run: Run = { id: "", sourceId: "", wholeId: "", lastAck: -1, lastReplaced: -1, created: [] };
  let killed = false;
  for await (const line of createInterface({ input: child.stdout! })) {
    const [what, a, b] = line.split(" ");
    if (what === "doc") [run.id, run.sourceId] = [a, b];
    if (what === "whole") run.wholeId = a;
    if (what === "created") run.created.push(a);
    if (what === "replaced") run.lastReplaced = Number(a);
    if (what === "ack") {
      run.lastAck = Number(a);
      if (killAfter !== undefined && run.lastAck + 1 >= killAfter && !killed) {
        child.kill("SIGKILL");
        killed = true;
      }
    }
    // Reading goes on until the output ends: whatever the writer printed before the signal landed (on a loaded
    // machine it may run a few more rounds) was acknowledged too, and is checked.
  }
  expect(await exited).toBe("SIGKILL");
  return run;
}

describe("file store crash safety", () => {
  let dir: string;
  let store: DocumentStore | undefined;
  let reports: StoreReport[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "plothost-crash-"));
    store = undefined;
    reports = [];
  });

  afterEach(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Reopens the store and checks every acknowledged write against it. */
  async function checkAcknowledged(run: Run): Promise<DocumentStore> {
    store = await openFileStore({ directory: dir, report: (r) => reports.push(r) });
    const got = await store.get(run.id);
    const seqs = columnsOf(got.doc, run.sourceId).x;
    // Every acknowledged stream write is there, in order and without holes; at most the one in flight follows.
    expect(seqs.slice(0, run.lastAck + 1)).toEqual(Array.from({ length: run.lastAck + 1 }, (_, i) => i));
    expect(seqs.length).toBeLessThanOrEqual(run.lastAck + 2);
    expect(got.meta.version).toBe(seqs.length + 1);
    // The document replaced whole each round is at the last acknowledged replacement or the one in flight.
    const whole = await store.get(run.wholeId);
    const rows = columnsOfSource(whole.doc).x.length;
    expect([run.lastReplaced + 1, run.lastReplaced + 2]).toContain(rows);
    expect(whole.meta.version).toBe(rows + 1);
    for (const id of run.created) expect((await store.getMeta(id)).owner).toBe("crash");
    // A crash never leaves a damaged snapshot, nor a temp file behind once reopened.
    expect(reports.filter((r) => r.kind === "corrupt" && r.action === "skipped")).toEqual([]);
    expect((await readdir(dir)).filter((n) => n.includes(".tmp-"))).toEqual([]);
    return store;
  }

  it("keeps every acknowledged write of a process killed with SIGKILL mid-stream", async () => {
    const run = await runWriter(dir, [], 60);
    expect(run.created.length).toBeGreaterThan(5);
    await checkAcknowledged(run);
  });

  it("serves the previous snapshot when the process dies halfway through writing the next one", async () => {
    const run = await runWriter(dir, ["tear", "snapshot", "25"]);
    expect(run.lastReplaced).toBe(24);
    const s = await checkAcknowledged(run);
    expect(columnsOfSource((await s.get(run.wholeId)).doc).x.length).toBe(25);
  });

  it("cuts off a log record torn by a crash, reports it, and keeps every acknowledged one before it", async () => {
    const run = await runWriter(dir, ["tear", "log", "25"]);
    // Armed in round 25, it tears the next log append (a round whose write was a compaction appends nothing).
    expect(run.lastAck).toBeGreaterThanOrEqual(24);
    const s = await checkAcknowledged(run);
    expect(columnsOf((await s.get(run.id)).doc, run.sourceId).x.length).toBe(run.lastAck + 1);
    expect(reports).toEqual([expect.objectContaining({ kind: "corrupt", id: run.id, action: "truncated", reason: expect.stringMatching(/torn/) })]);
  });
});
