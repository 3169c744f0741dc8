import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { DocumentLock } from "../../shared/session/document-lock.ts";
import { scriptJson, sessionPage, autoloadScript } from "../../shared/session/page.ts";
import { queryArguments } from "../../worker/src/query-arguments.ts";
import { restartDelayMs } from "../../gateway/src/worker-supervisor.ts";
import { pipeWorkerOutput } from "../../gateway/src/worker-log.ts";
import { createLogger } from "../../shared/logging/create-logger.ts";

describe("DocumentLock", () => {
  it("runs tasks one at a time in arrival order, and survives a failing task", async () => {
    const lock = new DocumentLock();
    const order: string[] = [];
    let release!: () => void;
    const first = lock.run(() => new Promise<void>((r) => { order.push("a:start"); release = () => { order.push("a:end"); r(); }; }));
    const second = lock.run(() => { throw new Error("boom"); });
    const third = lock.run(() => { order.push("c"); return 3; });
    await Promise.resolve();
    expect(lock.size).toBe(3);
    release();
    await first;
    await expect(second).rejects.toThrow("boom");
    expect(await third).toBe(3);
    expect(order).toEqual(["a:start", "a:end", "c"]);
    expect(lock.size).toBe(0);
  });
});

describe("session page", () => {
  it("cannot be broken out of by a hostile title or token", () => {
    const html = sessionPage({ title: "</title><script>x()</script>", token: "</script><script>alert(1)</script>", rootIds: ["p1"], staticPrefix: "/static" });
    expect(html).not.toContain("<script>x()");
    expect(html).not.toContain("</script><script>alert(1)");
    expect(html).toContain('data-root-id="p1"');
    expect(scriptJson({ a: "</script>" })).toBe('{"a":"\\u003c/script\\u003e"}');
  });

  it("autoload.js loads the bundles from the absolute URL and renders into the element", () => {
    const js = autoloadScript({ token: "t", elementId: "el1", appPath: "/demo", absoluteUrl: "http://h:1/demo", staticPrefix: "http://h:1/static", loadResources: true });
    expect(js).toContain("http://h:1/static/js/bokeh.min.js");
    expect(js).toContain('"elementid":"el1"');
    const bare = autoloadScript({ token: "t", elementId: "el1", appPath: "/demo", absoluteUrl: null, staticPrefix: "/static", loadResources: false });
    expect(bare).toContain("const urls = [];");
  });
});

describe("query arguments", () => {
  it("maps each name to all its values, as bokeh's request.arguments", () => {
    expect(queryArguments(new URLSearchParams("a=1&b=2&a=3"))).toEqual({ a: ["1", "3"], b: ["2"] });
  });
});

describe("supervisor backoff", () => {
  it("doubles from 1 s and caps at 60 s (both configurable)", () => {
    expect([1, 2, 3, 4].map((n) => restartDelayMs(n))).toEqual([1000, 2000, 4000, 8000]);
    expect(restartDelayMs(30)).toBe(60_000);
    expect([1, 2, 3].map((n) => restartDelayMs(n, 50, 120))).toEqual([50, 100, 120]);
  });
});

describe("worker output", () => {
  it("re-logs JSON lines with their level, cuts floods, and reports events", async () => {
    const out = new PassThrough();
    const lines: string[] = [];
    const sink = new PassThrough();
    sink.on("data", (d: Buffer) => lines.push(...d.toString().split("\n").filter(Boolean)));
    const log = createLogger({ level: "debug", destination: sink });
    const events: string[] = [];
    pipeWorkerOutput(out, log, "stdout", (e) => events.push(e));
    out.write(`${JSON.stringify({ level: 40, msg: "careful", event: "ready", sessionId: "s1" })}\n`);
    out.write(`plain text line\n`);
    out.write(`${"x".repeat(20_000)}\n`);
    out.end();
    await new Promise((r) => setImmediate(r));
    await expect.poll(() => lines.length).toBe(3);
    const [a, b, c] = lines.map((l) => JSON.parse(l));
    expect(a).toMatchObject({ level: 40, msg: "careful", sessionId: "s1" });
    expect(b).toMatchObject({ level: 40, msg: "plain text line", stream: "stdout" });
    expect(c.msg.length).toBeLessThan(9000);
    expect(events).toEqual(["ready"]);
  });
});
