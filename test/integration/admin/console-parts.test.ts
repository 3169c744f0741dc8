import { EventEmitter } from "node:events";
import { PassThrough } from "node:stream";
import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { generateToken } from "../../../shared/protocol/index.ts";
import { AppsView, type SupervisedApp } from "../../../gateway/src/admin/apps-view.ts";
import { LiveConnections } from "../../../gateway/src/admin/live-connections.ts";
import { MetricsCollector } from "../../../gateway/src/admin/metrics-collector.ts";
import { OVERVIEW_GLANCE, OVERVIEW_SOURCE, OverviewDocument } from "../../../gateway/src/admin/overview-document.ts";
import { RequestMetrics, percentile } from "../../../gateway/src/admin/request-metrics.ts";
import { table } from "../../../web-admin/pages/html.ts";

/** A request as the upgrade handler sees it: a session token in the subprotocol header. */
const upgradeReq = (sessionId = "sess-1"): IncomingMessage =>
  ({ headers: { "sec-websocket-protocol": `bokeh, ${generateToken(sessionId)}` }, socket: { remoteAddress: "10.0.0.7" } }) as unknown as IncomingMessage;

/** A socket with the byte counters the registry reads. */
const fakeSocket = () => Object.assign(new PassThrough(), { bytesRead: 0, bytesWritten: 0 });

/** A supervisor stand-in: state, pid and the events the console listens to. */
class FakeSupervisor extends EventEmitter {
  state: SupervisedApp["state"] = "running";
  pid: number | undefined = 999_999_999;
  readonly sessions = new Set<string>();
  readonly app = { name: "demo", path: "/x/demo.ts" };
  readyCalls = 0;
  stopCalls = 0;
  ready(): Promise<string> {
    this.readyCalls++;
    return Promise.resolve("/sock");
  }
  async stop(): Promise<void> {
    this.stopCalls++;
    this.state = "stopping";
    this.emit("exit", { code: 0, signal: null });
    this.state = "starting";
    this.emit("state", "starting");
  }
  move(state: SupervisedApp["state"]): void {
    this.state = state;
    this.emit("state", state);
  }
}

describe("admin console parts", () => {
  it("percentiles are nearest-rank; request rates and latency windows follow the clock", async () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([...Array(100).keys()].map((i) => i + 1), 0.99)).toBe(99);
    let now = 0;
    const m = new RequestMetrics({ now: () => now, windowMs: 10_000 });
    m.record({ proxied: true, ms: 3 });
    m.record({ proxied: false, ms: 1 });
    now = 2000;
    const first = m.take();
    expect(first.requestsPerSecond).toBe(1);
    expect(first.p50Ms).toBe(3);
    now = 20_000;
    expect(m.take()).toEqual({ requestsPerSecond: 0, p50Ms: null, p99Ms: null });
  });

  it("tracks session sockets by kind until they close, reads activity from byte counters, and ends them", () => {
    let now = 1000;
    const c = new LiveConnections({ identify: async () => ({ username: "nora" }), rememberEndedMs: 300_000, now: () => now });
    const app = fakeSocket();
    const doc = fakeSocket();
    const other = fakeSocket();
    c.observe(upgradeReq("s-app"), app, "/demo/ws");
    c.observe(upgradeReq("s-doc"), doc, "/doc/abc123/ws");
    c.observe(upgradeReq(), fakeSocket(), "/admin/overview/ws");
    c.observe(upgradeReq(), other, "/demo/static/x.js");
    expect(c.list().map((x) => [x.kind, x.target, x.sessionId])).toEqual([["app", "demo", "s-app"], ["doc", "abc123", "s-doc"], ["admin", "overview", "sess-1"]]);
    expect(c.countSessions()).toBe(2);
    const link = fakeSocket();
    c.observe(upgradeReq(), link, "/s/phs_secretsecretsecret/ws");
    expect(c.list({ kind: "doc" }).map((x) => x.target)).toEqual(["abc123", "share link phs_secr…"]);
    link.destroy();
    const deployed = fakeSocket();
    c.observe(upgradeReq(), deployed, "/alice/sales/ws");
    expect(c.list({ kind: "app" }).map((x) => x.target)).toEqual(["demo", "alice/sales"]);
    deployed.destroy();
    now = 5000;
    app.bytesWritten = 10;
    c.sample();
    const [a, d] = c.list();
    expect([a.lastActivityAt, d.lastActivityAt]).toEqual([5000, 1000]);
    doc.destroy();
    return new Promise<void>((resolve) => setImmediate(() => {
      expect(c.list({ kind: "doc" })).toEqual([]);
      expect(c.list()[0].user).toBe("nora");
      expect(c.isEnded(upgradeReq("s-app"))).toBe(false);
      expect(c.end(a.id)).toBe(true);
      expect(app.destroyed).toBe(true);
      expect(c.end(a.id)).toBe(false);
      // BokehJS reconnects with the same session id: refused until its tokens would have expired anyway.
      expect([c.isEnded(upgradeReq("s-app")), c.isEnded(upgradeReq("s-doc"))]).toEqual([true, false]);
      now += 300_000;
      expect(c.isEnded(upgradeReq("s-app"))).toBe(false);
      resolve();
    }));
  });

  it("the collector hands each sample to its listeners and keeps a bounded history", () => {
    const connections = new LiveConnections({ identify: async () => null, rememberEndedMs: 1000 });
    const sup = new FakeSupervisor();
    const apps = new AppsView(new Map([["demo", sup as unknown as SupervisedApp]]), { connections });
    const requests = new RequestMetrics({});
    const errors: unknown[] = [];
    const collector = new MetricsCollector({ connections, apps, requests, intervalMs: 1000, keep: 2, onError: (e) => errors.push(e), now: () => 42 });
    const seen: number[] = [];
    const off = collector.onSample((s) => seen.push(s.at));
    collector.onSample(() => {
      throw new Error("boom");
    });
    collector.tick();
    collector.tick();
    collector.tick();
    off();
    collector.tick();
    expect(seen).toEqual([42, 42, 42]);
    expect(collector.history()).toHaveLength(2);
    expect(collector.latest()).toMatchObject({ sessions: 0, appsRunning: 1, restarts: 0 });
    expect(errors).toHaveLength(4);
    collector.close();
    apps.close();
  });

  it("counts crashes and admin restarts but not deliberate stops; a restart shows until the new worker runs", async () => {
    const connections = new LiveConnections({ identify: async () => null, rememberEndedMs: 1000 });
    const sup = new FakeSupervisor();
    const apps = new AppsView(new Map([["demo", sup as unknown as SupervisedApp]]), { connections });
    sup.state = "stopping";
    sup.emit("exit", { code: 0, signal: null });
    sup.move("stopped");
    expect(apps.get("demo")).toMatchObject({ state: "idle", restarts: 0 });
    sup.move("running");
    sup.emit("exit", { code: 1, signal: null });
    sup.move("backoff");
    expect(apps.get("demo")).toMatchObject({ state: "crashed", restarts: 1 });
    sup.move("running");
    const row = await apps.restart("demo");
    expect([sup.stopCalls, sup.readyCalls, row.state, row.restarts]).toEqual([1, 1, "restarting", 2]);
    sup.move("running");
    expect(apps.get("demo").state).toBe("running");
    sup.move("crashed");
    await expect(apps.restart("demo")).rejects.toMatchObject({ code: "app_crashed" });
    await expect(apps.restart("nope")).rejects.toMatchObject({ code: "app_not_found" });
    // The worker's lines (not its session routing events) are the app's last log lines.
    sup.emit("line", "hello from the worker");
    sup.emit("line", '{"event":"session","id":"x"}');
    expect(apps.get("demo").logTail).toEqual(["hello from the worker"]);
    apps.close();
    expect([sup.listenerCount("exit"), sup.listenerCount("line")]).toEqual([0, 0]);
  });

  it("the overview document streams each sample into its source and shows it at a glance", () => {
    const o = new OverviewDocument(3);
    const kinds: string[] = [];
    o.document.on_change((e) => kinds.push(e.kind));
    const sample = { at: 1, sessions: 2, requestsPerSecond: 3, p50Ms: null, p99Ms: 9, workerMemoryBytes: 5 * 1024 * 1024, restarts: 1, appsRunning: 1 };
    for (let i = 0; i < 5; i++) o.record({ ...sample, at: i });
    const source = [...o.document.models.values()].find((m) => m.get("name") === OVERVIEW_SOURCE)!;
    const data = source.get("data") as Map<string, ArrayLike<number>>;
    expect(Array.from(data.get("t")!)).toEqual([2, 3, 4]);
    expect(Number.isNaN(data.get("p50")![0])).toBe(true);
    expect(data.get("memory_mib")![0]).toBe(5);
    expect(kinds.filter((k) => k === "ColumnsStreamed")).toHaveLength(5);
    const glance = [...o.document.models.values()].find((m) => m.get("name") === OVERVIEW_GLANCE)!;
    expect(glance.get("text")).toContain("Sessions</span> <strong>2</strong>");
  });

  it("tables label every cell with its column for narrow screens", () => {
    const html = table("T", ["A", "B"], [`<tr><th scope="row">x</th><td><time datetime="t">y</time></td></tr>`], "none");
    expect(html).toContain(`<th data-label="A" scope="row">x</th><td data-label="B"><time datetime="t">`);
    expect(table("T", ["A"], [], "nothing <here>")).toContain(`colspan="1" class="empty">nothing &lt;here&gt;`);
  });
});
