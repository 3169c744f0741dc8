import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { timeRequests, type RequestTiming } from "../../gateway/src/ops/request-timing.ts";

describe("timeRequests", () => {
  it("times each request once, when answered, and tells every sink the same timing", () => {
    const a: RequestTiming[] = [];
    const b: RequestTiming[] = [];
    const mw = timeRequests((p) => p.startsWith("/demo"), [(t) => void a.push(t), (t) => void b.push(t)]);
    const answer = (method: string, path: string, status: number) => {
      const res = Object.assign(new EventEmitter(), { statusCode: status });
      let passedOn = false;
      mw({ method, path } as never, res as never, () => void (passedOn = true));
      expect(passedOn).toBe(true);
      expect(a).toHaveLength(answered);
      res.emit("finish");
      res.emit("finish");
      answered += 1;
    };
    let answered = 0;
    answer("GET", "/demo/ws", 101);
    answer("POST", "/api/v1/docs", 201);
    expect(a).toEqual(b);
    expect(a.map(({ method, status, proxied }) => ({ method, status, proxied }))).toEqual([
      { method: "GET", status: 101, proxied: true }, { method: "POST", status: 201, proxied: false },
    ]);
    expect(a.every((t) => t.ms >= 0)).toBe(true);
  });
});
