import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { trackInFlight } from "../../gateway/src/ops/in-flight-requests.ts";

const servers: http.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

/** A server whose `/slow` answers when the test calls `finish()`; everything else at once. */
async function start() {
  let finish: () => void = () => {};
  let arrived: () => void = () => {};
  const slowArrived = new Promise<void>((resolve) => (arrived = resolve));
  const server = http.createServer((req, res) => {
    if (req.url !== "/slow") return void res.end("fast");
    finish = () => res.end("slow");
    arrived();
  });
  servers.push(server);
  const inFlight = trackInFlight(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return { inFlight, port, slowArrived, finish: () => finish() };
}

function get(port: number, path: string, agent: http.Agent) {
  return new Promise<{ body: string; connection: string | undefined }>((resolve, reject) => {
    http.get({ host: "127.0.0.1", port, path, agent }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => void (body += c.toString()));
      res.on("end", () => resolve({ body, connection: res.headers.connection }));
    }).on("error", reject);
  });
}

describe("trackInFlight: a graceful stop answers the requests it already took", () => {
  it("settle() resolves only once the request in flight is answered, and that answer closes its connection", async () => {
    const { inFlight, port, slowArrived, finish } = await start();
    const agent = new http.Agent({ keepAlive: true });
    const slow = get(port, "/slow", agent);
    await slowArrived;
    expect(inFlight.count).toBe(1);
    let settled: boolean | null = null;
    const settling = inFlight.settle(5000).then((ok) => (settled = ok));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBeNull();
    finish();
    expect(await slow).toEqual({ body: "slow", connection: "close" });
    await settling;
    expect(settled).toBe(true);
    expect(inFlight.count).toBe(0);
    agent.destroy();
  });

  it("settle() gives up after its bound on a response that never ends", async () => {
    const { inFlight, port, slowArrived, finish } = await start();
    const agent = new http.Agent({ keepAlive: true });
    const slow = get(port, "/slow", agent);
    await slowArrived;
    expect(await inFlight.settle(50)).toBe(false);
    finish();
    await slow;
    agent.destroy();
  });

  it("settle() with nothing in flight resolves at once", async () => {
    const { inFlight, port } = await start();
    const agent = new http.Agent({ keepAlive: true });
    expect((await get(port, "/", agent)).connection).toBe("keep-alive");
    expect(await inFlight.settle(5000)).toBe(true);
    agent.destroy();
  });
});
