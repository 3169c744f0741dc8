import net from "node:net";
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { redisAnswers } from "../../gateway/src/redis/managed-redis.ts";
import { startGateway } from "../helpers/start-gateway.ts";

const fixture = JSON.parse(fs.readFileSync(new URL("../fixtures/bokeh-3.6-docs/vbar_categorical.json", import.meta.url), "utf8"));

/** A port nothing listens on right now (bound, then released). */
const freePort = () => new Promise<number>((resolve) => {
  const s = net.createServer().listen(0, "127.0.0.1", () => {
    const { port } = s.address() as net.AddressInfo;
    s.close(() => resolve(port));
  });
});

describe("--start-redis (the old bokeh-server's managed Redis)", () => {
  it("starts redis-server on --redis-port when nothing answers there, keeps documents in it, and stops it on exit", async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    expect(await redisAnswers(url)).toBe(false);
    const gw = await startGateway(["--backend", "redis", "--redis-port", String(port)]);
    try {
      expect(await redisAnswers(url)).toBe(true);
      const res = await fetch(`${gw.url}/api/v1/docs?name=in-managed-redis`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(fixture) });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      expect((await fetch(`${gw.url}/api/v1/docs/${id}`)).status).toBe(200);
    } finally {
      await gw.close();
    }
    expect(await redisAnswers(url)).toBe(false);
  });

  it("keeps every acknowledged document and change across a restart of the whole server (its Redis too)", async () => {
    const port = await freePort();
    const args = ["--backend", "redis", "--redis-port", String(port)];
    const first = await startGateway(args);
    const post = (gw: typeof first, path: string, body: unknown) =>
      fetch(`${gw.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const created = await post(first, "/api/v1/docs?name=durable-in-redis", fixture);
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const rename = { events: [{ kind: "ModelChanged", model: { id: fixture.roots[0].id }, attr: "name", new: "acked-before-restart" }] };
    expect((await post(first, `/api/v1/docs/${id}/events`, rename)).status).toBe(200);
    await first.closeKeepingData();
    expect(await redisAnswers(`redis://127.0.0.1:${port}`)).toBe(false); // plothost stopped its Redis
    const second = await startGateway(args, {}, first.dataDir);
    try {
      const res = await fetch(`${second.url}/api/v1/docs/${id}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("acked-before-restart");
    } finally {
      await second.close();
    }
  });

  it("refuses to start with --no-start-redis and nothing on the port, saying what to do", async () => {
    const port = await freePort();
    await expect(startGateway(["--backend", "redis", "--redis-port", String(port), "--no-start-redis"])).rejects.toThrow(/Redis does not answer .* --no-start-redis/);
  });
});
