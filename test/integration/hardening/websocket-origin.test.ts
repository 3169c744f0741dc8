/**
 * WebSocket origins (issue 10, HTTP input): a browser WebSocket from an origin that is not allowed is refused with
 * 403 before anything reaches a worker or a document — for app sessions and published documents alike; the
 * gateway's own origin, clients without an Origin (scripts) and `--allow-websocket-origin` hosts are let in.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BokehTestClient, tokenFromPage } from "../../helpers/bokeh-client.ts";
import { startGateway } from "../../helpers/start-gateway.ts";

type Gw = Awaited<ReturnType<typeof startGateway>>;

async function pagePaths(gw: Gw): Promise<Array<{ page: string; ws: string }>> {
  const res = await fetch(`${gw.url}/api/v1/docs?name=o`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ roots: [], title: "o" }),
  });
  expect(res.status).toBe(201);
  const { id } = (await res.json()) as { id: string };
  return [{ page: "/demo", ws: "/demo/ws" }, { page: `/doc/${id}`, ws: `/doc/${id}/ws` }];
}

async function attempt(gw: Gw, p: { page: string; ws: string }, origin: string | null): Promise<number> {
  const html = await (await fetch(`${gw.url}${p.page}`)).text();
  try {
    const client = await BokehTestClient.connect(`ws://127.0.0.1:${gw.port}${p.ws}`, tokenFromPage(html), origin === null ? {} : { origin });
    expect((await client.next()).header.msgtype).toBe("ACK");
    await client.close();
    return 101;
  } catch (err) {
    return (err as { status?: number }).status ?? -1;
  }
}

describe("WebSocket origin checks (default: same host only)", () => {
  let gw: Gw;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("refuses foreign origins with 403, for app sessions and published documents", async () => {
    for (const p of await pagePaths(gw)) {
      for (const origin of ["http://evil.example", `http://127.0.0.1.evil.example:${gw.port}`, `http://127.0.0.1:${gw.port + 1}`, "null"]) {
        expect(await attempt(gw, p, origin), `${p.ws} from ${origin}`).toBe(403);
      }
      expect(await attempt(gw, p, `http://127.0.0.1:${gw.port}`), `${p.ws} same origin`).toBe(101);
      expect(await attempt(gw, p, null), `${p.ws} without Origin`).toBe(101);
    }
  });
});

describe("WebSocket origin checks with --allow-websocket-origin", () => {
  let gw: Gw;
  beforeAll(async () => {
    gw = await startGateway(["--allow-websocket-origin", "site.example:8443"]);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("lets the listed host:port in and keeps refusing others", async () => {
    for (const p of await pagePaths(gw)) {
      expect(await attempt(gw, p, "https://site.example:8443"), p.ws).toBe(101);
      expect(await attempt(gw, p, "https://site.example:8444"), p.ws).toBe(403);
      expect(await attempt(gw, p, "https://evil.example"), p.ws).toBe(403);
    }
  });
});
