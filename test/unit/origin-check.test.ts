import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { isOriginAllowed } from "../../gateway/src/origin-check.ts";

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe("WebSocket origin check", () => {
  it("allows same-origin and clients that send no Origin", () => {
    expect(isOriginAllowed(req({ host: "localhost:5006", origin: "http://localhost:5006" }), [])).toBe(true);
    expect(isOriginAllowed(req({ host: "localhost:5006" }), [])).toBe(true);
  });
  it("refuses a foreign or malformed Origin", () => {
    expect(isOriginAllowed(req({ host: "localhost:5006", origin: "http://evil.example" }), [])).toBe(false);
    expect(isOriginAllowed(req({ host: "localhost:5006", origin: "http://localhost:6000" }), [])).toBe(false);
    expect(isOriginAllowed(req({ host: "localhost:5006", origin: "null" }), [])).toBe(false);
  });
  it("honours --allow-websocket-origin entries with or without a port, and *", () => {
    expect(isOriginAllowed(req({ host: "a:1", origin: "https://site.example:8443" }), ["site.example"])).toBe(true);
    expect(isOriginAllowed(req({ host: "a:1", origin: "https://site.example:8443" }), ["site.example:8443"])).toBe(true);
    expect(isOriginAllowed(req({ host: "a:1", origin: "https://site.example:8443" }), ["site.example:1"])).toBe(false);
    expect(isOriginAllowed(req({ host: "a:1", origin: "https://any.example" }), ["*"])).toBe(true);
  });
});
