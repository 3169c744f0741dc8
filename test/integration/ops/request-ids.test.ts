import { afterAll, describe, expect, it } from "vitest";
import { killServed, serve } from "./serve-process.ts";

afterAll(() => killServed());

/** The JSON log lines in a process's output. */
const jsonLines = (out: string): Array<Record<string, unknown>> =>
  out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);

describe("structured logs", () => {
  it("one request id crosses the proxy: the gateway's request line and the worker's line share it", async () => {
    const server = await serve(["--log-level", "info"]);
    const res = await fetch(`${server.url}/demo`, { headers: { "x-request-id": "trace-me-42" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("trace-me-42");
    const deadline = Date.now() + 20_000;
    let mine: Array<Record<string, unknown>> = [];
    while (Date.now() < deadline) {
      mine = jsonLines(server.out()).filter((l) => l.reqId === "trace-me-42");
      if (mine.some((l) => l.msg === "request") && mine.some((l) => l.msg === "session page served")) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(mine.find((l) => l.msg === "request")).toMatchObject({ method: "GET", path: "/demo", status: 200 });
    // The worker's line, re-logged by the gateway with its fields: the session it opened for that request.
    expect(mine.find((l) => l.msg === "session page served")).toMatchObject({ sessionId: expect.any(String) });

    // An id that could inject into logs or headers is replaced by a fresh one.
    const bad = await fetch(`${server.url}/healthz`, { headers: { "x-request-id": "evil\",\"admin\":true" } });
    expect(bad.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    server.child.kill("SIGTERM");
    expect(await server.exit).toBe(0);
  });
});
