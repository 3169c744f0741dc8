import fs from "node:fs";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pullDocReq } from "../../shared/protocol/index.ts";
import { BokehTestClient, tokenFromPage } from "../helpers/bokeh-client.ts";
import { startGateway } from "../helpers/start-gateway.ts";

const fixture = JSON.parse(fs.readFileSync(new URL("../fixtures/bokeh-3.6-docs/line_scatter_hover.json", import.meta.url), "utf8"));
type Gw = Awaited<ReturnType<typeof startGateway>>;

describe("published documents on the Redis backend: two gateway processes stay in sync", () => {
  const prefix = `plothost-test-${randomBytes(4).toString("hex")}:`;
  const args = ["--backend", "redis", "--redis-url", "redis://127.0.0.1:6379", "--redis-prefix", prefix];
  let a: Gw;
  let b: Gw;
  beforeAll(async () => {
    [a, b] = await Promise.all([startGateway(args), startGateway(args)]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    const redis = new Redis("redis://127.0.0.1:6379");
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it("a document published on one is served, and streamed to viewers, by the other", async () => {
    const created = await fetch(`${a.url}/api/v1/docs?name=shared&visibility=public`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(fixture),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const page = await fetch(`${b.url}/doc/${id}?public=true`);
    expect(page.status).toBe(200);
    const viewer = await BokehTestClient.connect(`ws://127.0.0.1:${b.port}/doc/${id}/ws?public=true`, tokenFromPage(await page.text()));
    expect((await viewer.next()).header.msgtype).toBe("ACK");
    const pull = pullDocReq();
    viewer.send(pull);
    await viewer.reply(pull.header.msgid);
    // Written through gateway A, seen by a viewer of gateway B.
    const streamed = await fetch(`${a.url}/api/v1/docs/${id}/stream`, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ source: "p1001", data: { x: [1], y: [2], label: ["via-a"] } }),
    });
    expect(streamed.status).toBe(200);
    await viewer.next((m) => m.header.msgtype === "PATCH-DOC" && JSON.stringify(m.content).includes("via-a"));
    await viewer.close();
  });
});
