import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { HttpClient } from "../../../client/http-client.ts";
import { AuthError, NotFoundError, PlothostClientError, ServerUnavailableError, ValidationError } from "../../../client/errors.ts";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;
const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise<void>((r) => s.close(() => r()));
});

/** An in-process server answering with `handler` (n counts requests); returns its URL and the requests seen. */
async function serve(handler: Handler) {
  const seen: Array<{ method: string; url: string; auth: string | undefined }> = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization });
    req.resume();
    req.on("end", () => handler(req, res, seen.length));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const json = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
};
const client = (rootUrl: string, token: string | null = "pht_t") =>
  new HttpClient({ rootUrl, token: () => token, retries: 3, backoff: { baseMs: 1, maxMs: 5 } });

describe("HttpClient", () => {
  it("sends the Bearer token and JSON, and returns the parsed reply", async () => {
    const { url, seen } = await serve((_req, res) => json(res, 200, { ok: true }));
    expect(await client(url).request("POST", "/api/v1/x", { json: { a: 1 }, query: { name: "n a", skip: undefined } })).toEqual({ ok: true });
    expect(seen).toEqual([{ method: "POST", url: "/api/v1/x?name=n+a", auth: "Bearer pht_t" }]);
    await client(url).request("POST", "/api/v1/login", { json: {}, auth: false });
    expect(seen[1].auth).toBeUndefined();
  });

  it("turns error replies into typed errors with the server's code and message", async () => {
    const statuses = [401, 403, 404, 400, 409, 413, 500];
    const { url } = await serve((_req, res, n) => json(res, statuses[n - 1], { error: { code: `code_${n}`, message: `message ${n}` } }));
    const c = client(url);
    const errors = [];
    for (let i = 0; i < statuses.length; i++) errors.push(await c.request("GET", "/x").catch((e: unknown) => e));
    expect(errors.map((e) => (e as Error).constructor)).toEqual([AuthError, AuthError, NotFoundError, ValidationError, ValidationError, ValidationError, PlothostClientError]);
    expect(errors[2]).toMatchObject({ code: "code_3", status: 404, message: "message 3" });
  });

  it("retries an idempotent request after 503 and succeeds; never repeats a POST the server may have run", async () => {
    const get = await serve((_req, res, n) => (n < 3 ? json(res, 503, { error: { code: "app_unavailable", message: "later" } }) : json(res, 200, { n })));
    expect(await client(get.url).request("GET", "/x")).toEqual({ n: 3 });
    const post = await serve((_req, res) => json(res, 503, { error: { code: "app_unavailable", message: "later" } }));
    await expect(client(post.url).request("POST", "/x", { json: {} })).rejects.toBeInstanceOf(ServerUnavailableError);
    expect(post.seen).toHaveLength(1);
    const reset = await serve((req) => req.socket.destroy());
    await expect(client(reset.url).request("POST", "/x", { json: {} })).rejects.toThrow(/could not reach/);
    expect(reset.seen).toHaveLength(1);
    await expect(client(reset.url).request("GET", "/x")).rejects.toBeInstanceOf(ServerUnavailableError);
    expect(reset.seen).toHaveLength(1 + 4); // first try plus 3 retries
  });
});
