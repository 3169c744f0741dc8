/**
 * Oversized bodies (issue 10, HTTP input): every endpoint that reads a body refuses one over its limit with 413
 * `payload_too_large` and the catalogue's JSON error, whether the size is announced (content-length) or not
 * (chunked), and the gateway keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway } from "../../helpers/start-gateway.ts";
import { deploy, deployToken } from "../apps/app-helpers.ts";

const MAX_DOC = 64 * 1024;
const MAX_ARCHIVE = 32 * 1024;
/** The documents API reads bodies up to 1.4 × --max-document-size (base64 inside JSON); past that, 413. */
const OVER_DOC = Math.ceil(MAX_DOC * 1.5);

/** A body of `n` bytes, sent as one buffer or, with `chunked`, as a stream without content-length. */
function body(text: string, chunked: boolean): { body: BodyInit; duplex?: "half" } {
  if (!chunked) return { body: text };
  const bytes = new TextEncoder().encode(text);
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < bytes.length; i += 8192) c.enqueue(bytes.subarray(i, i + 8192));
      c.close();
    },
  });
  return { body: stream, duplex: "half" };
}

describe("oversized request bodies", () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let docId: string;
  beforeAll(async () => {
    gw = await startGateway(["--max-document-size", String(MAX_DOC), "--max-archive-size", String(MAX_ARCHIVE)]);
    const res = await fetch(`${gw.url}/api/v1/docs?name=small`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ roots: [], title: "small" }),
    });
    expect(res.status).toBe(201);
    docId = ((await res.json()) as { id: string }).id;
  });
  afterAll(async () => {
    await gw?.close();
  });

  const cases: Array<[string, string, string, number]> = [
    ["POST", "/api/v1/tokens", "application/json", 17 * 1024],
    ["POST", "/api/v1/login", "application/x-www-form-urlencoded", 17 * 1024],
    ["POST", "/api/v1/apps/nope/rollback", "application/json", 17 * 1024],
    ["POST", "/api/v1/docs?name=big", "application/json", OVER_DOC],
    ["PUT", "/api/v1/docs/DOC", "application/json", OVER_DOC],
    ["POST", "/api/v1/docs/DOC/stream", "application/json", OVER_DOC],
  ];
  for (const chunked of [false, true]) {
    for (const [method, path, type, size] of cases) {
      it(`${method} ${path} with ${size} bytes${chunked ? " (chunked)" : ""} → 413 payload_too_large`, async () => {
        const text = type === "application/json" ? JSON.stringify({ name: "x".repeat(size) }) : `username=${"x".repeat(size)}&password=y`;
        const res = await fetch(`${gw.url}${path.replace("DOC", docId)}`, { method, headers: { "content-type": type }, ...body(text, chunked) } as RequestInit);
        expect(res.status).toBe(413);
        expect(await res.json()).toMatchObject({ error: { code: "payload_too_large", message: expect.any(String) } });
      });
    }
  }

  it("an app archive over --max-archive-size → 413, and nothing is kept", async () => {
    const token = await deployToken(gw.url);
    const r = await deploy(gw.url, "big", Buffer.alloc(MAX_ARCHIVE * 2, 7), { authorization: `Bearer ${token}` });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe("payload_too_large");
    expect((await fetch(`${gw.url}/api/v1/apps/big`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
  });

  it("still serves afterwards", async () => {
    expect((await fetch(`${gw.url}/api/v1/docs/${docId}`)).status).toBe(200);
  });
});
