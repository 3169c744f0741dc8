import { afterAll, describe, expect, it } from "vitest";
import { PID_APP, alive, clusterScratch } from "./cluster-helpers.ts";
import { Document } from "../../../shared/index.ts";
import { Session } from "../../../client/index.ts";
import { startServe } from "../client/run-cli.ts";
import { ReconnectingViewer } from "./reconnecting-viewer.ts";
import { publishSeqDocument, seqOf, startWriter } from "./stream-writer.ts";

const scratch = clusterScratch("rolling");
const { tmp, prefix } = scratch;


describe("rolling restart of the gateway processes (kill -HUP <primary>)", { timeout: 90_000 }, () => {
  afterAll(() => scratch.cleanup());

  it("replaces every process one at a time while viewers watch a stream: no acknowledged point lost or repeated", async () => {
    const served = await startServe([
      "--num-procs", "2", "--backend", "redis", "--redis-url", "redis://127.0.0.1:6379", "--redis-prefix", prefix,
      "--port", "0", PID_APP,
    ], {}, tmp);
    await served.printed("primary process: ");
    const before = /2 gateway processes: (\d+), (\d+)/.exec(served.out())!.slice(1).map(Number);
    const primary = Number(/primary process: (\d+)/.exec(served.out())![1]);
    const base = served.url.replace("localhost", "127.0.0.1");

    const { id, sourceId } = await publishSeqDocument(base);
    const source = { id: sourceId };

    // Viewers on both processes (each new connection goes to the next process), plus the client library's live
    // document, which reconnects and re-pulls on its own.
    const viewers: ReconnectingViewer[] = [];
    for (let i = 0; i < 6 && new Set(viewers.flatMap((v) => v.processes)).size < 2; i++) viewers.push(await ReconnectingViewer.open(base, id));
    for (let i = viewers.length; i < 3; i++) viewers.push(await ReconnectingViewer.open(base, id));
    expect(new Set(viewers.flatMap((v) => v.processes))).toEqual(new Set(before.map(String)));
    const session = new Session({ rootUrl: base, env: { PLOTHOST_HOME: tmp }, saveCredentials: false, reconnectTimeoutMs: 30_000 });
    const live = await session.open(id);
    let liveReconnects = 0;
    live.on("reconnect", () => void (liveReconnects += 1));

    const writer = startWriter(base, id, source.id);
    await viewers[0]!.until((d) => seqOf(d, source.id).length >= 5);

    process.kill(primary, "SIGHUP");
    // Each new process must start and be ready before the old one stops (60 s covers a loaded 2-core CI machine).
    await served.printed("rolling restart done: ", 60_000);
    const after = /rolling restart done: 2 gateway processes: (\d+), (\d+)/.exec(served.out())!.slice(1).map(Number);
    // Points keep flowing through the new processes before the writer stops.
    const ackedAtRestart = writer.acked.length;
    await viewers[0]!.until((d) => seqOf(d, source.id).length >= ackedAtRestart + 5);
    await writer.stop();

    const acked = writer.acked;
    const expected = Array.from({ length: acked.length }, (_, i) => i);
    expect(acked).toEqual(expected);
    const last = acked.length - 1;
    for (const v of viewers) {
      await v.until((d) => seqOf(d, source.id).at(-1) === last);
      expect(seqOf(v.doc!, source.id)).toEqual(expected);
      expect(v.errors).toEqual([]);
      expect(v.closes).toContain(1001); // its process went away gracefully, and it came back on a live one
    }
    const liveDeadline = Date.now() + 15_000;
    while (seqOf(live.document, source.id).at(-1) !== last && Date.now() < liveDeadline) await new Promise((r) => setTimeout(r, 50));
    expect(seqOf(live.document, source.id)).toEqual(expected);
    expect(liveReconnects).toBeGreaterThanOrEqual(1);
    const stored = await fetch(`${base}/api/v1/docs/${id}`);
    expect(seqOf(Document.from_json(await stored.json()), source.id)).toEqual(expected);

    // Both processes are new, the old ones are gone, the primary stayed, and the new ones serve.
    expect(after.filter((p) => before.includes(p))).toEqual([]);
    expect(before.filter(alive)).toEqual([]);
    expect(after.every(alive)).toBe(true);
    expect(alive(primary)).toBe(true);
    expect(new Set(viewers.flatMap((v) => v.processes.slice(-1)))).toSatisfy((s: Set<string>) => [...s].every((p) => after.includes(Number(p))));
    expect(served.out()).not.toMatch(/replaced the dead one/);

    for (const v of viewers) v.close();
    await session.close();
    expect(await served.stop("SIGTERM")).toBe(0);
    expect(after.filter(alive)).toEqual([]);
  });
});
