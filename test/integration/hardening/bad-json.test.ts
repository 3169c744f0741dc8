/**
 * Bad JSON (issue 10, HTTP input): a malformed or wrongly typed JSON body is a 400 `bad_request` with the
 * catalogue's JSON error on every JSON endpoint, never a 500 or an HTML page, and nothing is changed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway } from "../../helpers/start-gateway.ts";

const BODIES = ["{not json", '{"a":1', "[1,,2]", '"just a string"', "nul", "\u0000", '{"a":1}garbage', "{\"a\":\"\\ud800\\x\"}"];

describe("malformed JSON bodies", () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let docId: string;
  beforeAll(async () => {
    gw = await startGateway();
    const res = await fetch(`${gw.url}/api/v1/docs?name=doc`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ roots: [], title: "before" }),
    });
    expect(res.status).toBe(201);
    docId = ((await res.json()) as { id: string }).id;
  });
  afterAll(async () => {
    await gw?.close();
  });

  const endpoints: Array<[string, string]> = [
    ["POST", "/api/v1/tokens"],
    ["POST", "/api/v1/login"],
    ["POST", "/api/v1/apps/nope/rollback"],
    ["POST", "/api/v1/docs?name=x"],
    ["PUT", "/api/v1/docs/DOC"],
    ["POST", "/api/v1/docs/DOC/stream"],
    ["POST", "/api/v1/docs/DOC/patch"],
  ];
  for (const [method, path] of endpoints) {
    it(`${method} ${path}: every malformed body → 400 bad_request (JSON)`, async () => {
      for (const text of BODIES) {
        const res = await fetch(`${gw.url}${path.replace("DOC", docId)}`, { method, headers: { "content-type": "application/json" }, body: text });
        expect(res.status, `${JSON.stringify(text)}`).toBe(400);
        expect(res.headers.get("content-type")).toContain("application/json");
        expect(await res.json(), JSON.stringify(text)).toMatchObject({ error: { code: "bad_request", message: expect.any(String) } });
      }
    });
  }

  it("nothing was changed or created", async () => {
    const doc = (await (await fetch(`${gw.url}/api/v1/docs/${docId}`)).json()) as { title: string };
    expect(doc.title).toBe("before");
    const list = (await (await fetch(`${gw.url}/api/v1/docs`)).json()) as { documents: unknown[] };
    expect(list.documents).toHaveLength(1);
  });
});
