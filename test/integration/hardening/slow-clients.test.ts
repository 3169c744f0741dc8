/**
 * Slow clients (issue 10, HTTP input): a client that trickles its headers (slowloris), never finishes a WebSocket
 * upgrade's headers, or never sends the body it announced is answered 408 and dropped after
 * --http-headers-timeout / --http-request-timeout, while everyone else is served. Node's own defaults (60 s for
 * headers, checked only every 30 s) would let a few hundred such sockets sit for a minute.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseGatewayConfig } from "../../../shared/config/index.ts";
import { projectRoot, startGateway } from "../../helpers/start-gateway.ts";
import { rawExchange } from "./raw-http.ts";

const HEADERS_MS = 600;
const REQUEST_MS = 1500;
/** Long past both timeouts plus Node's check interval, yet bounded. */
const GIVE_UP_MS = 8000;

describe("slow clients", () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gw = await startGateway(["--http-headers-timeout", String(HEADERS_MS), "--http-request-timeout", String(REQUEST_MS)]);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("the timeouts are on by default and set on the gateway's server", () => {
    const defaults = parseGatewayConfig([], {}, projectRoot);
    expect(defaults.headersTimeoutMs).toBe(20_000);
    expect(defaults.requestTimeoutMs).toBe(300_000);
    expect(gw.server.headersTimeout).toBe(HEADERS_MS);
    expect(gw.server.requestTimeout).toBe(REQUEST_MS);
    expect(() => parseGatewayConfig(["--http-headers-timeout", "5000", "--http-request-timeout", "1000"], {}, projectRoot))
      .toThrow(/--http-request-timeout must be at least --http-headers-timeout/);
  });

  it("drops a slowloris client that keeps trickling header lines, and serves others meanwhile", async () => {
    const trickle = Array.from({ length: 200 }, (_, i) => `x-slow-${i}: ${"a".repeat(10)}\r\n`);
    const slow = rawExchange(gw.port, "GET /demo HTTP/1.1\r\nhost: 127.0.0.1\r\n", { trickle, trickleMs: 50, waitMs: GIVE_UP_MS });
    const ok = await fetch(`${gw.url}/demo`);
    expect(ok.status).toBe(200);
    const r = await slow;
    expect(r.closed, `still open after ${GIVE_UP_MS} ms`).toBe(true);
    expect(r.ms).toBeGreaterThanOrEqual(HEADERS_MS - 50);
    expect(r.status).toBe(408);
  }, 20_000);

  it("drops a WebSocket upgrade whose headers never end", async () => {
    const r = await rawExchange(gw.port, "GET /demo/ws HTTP/1.1\r\nhost: 127.0.0.1\r\nupgrade: websocket\r\nconnection: Upgrade\r\n", { waitMs: GIVE_UP_MS });
    expect(r.closed, `still open after ${GIVE_UP_MS} ms`).toBe(true);
    expect(r.status).toBe(408);
  }, 20_000);

  it("drops a client that never sends the body it announced", async () => {
    const r = await rawExchange(
      gw.port,
      "POST /api/v1/tokens HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 100\r\nconnection: close\r\n\r\n{\"na",
      { waitMs: GIVE_UP_MS },
    );
    expect(r.closed, `still open after ${GIVE_UP_MS} ms`).toBe(true);
    expect(r.ms).toBeGreaterThanOrEqual(REQUEST_MS - 50);
    expect(r.status).toBe(408);
  }, 20_000);
});
