import { afterEach, describe, expect, it } from "vitest";
import { ColumnDataSource, Document, NotFoundError, figure } from "../../../client/index.ts";
import { PASSWORD, sessionFor, startMultiUser, removeTempHomes, tempHome, username, type Gw } from "./client-helpers.ts";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  removeTempHomes();
});

async function storedColumns(gw: Gw, token: string, docId: string, sourceId: string): Promise<Record<string, unknown[]>> {
  const res = await fetch(`${gw.url}/api/v1/docs/${docId}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const data = Document.from_json(await res.json()).get_model_by_id(sourceId)!.get<Map<string, unknown[]>>("data");
  return Object.fromEntries([...data].map(([k, v]) => [k, [...v]]));
}

describe("a live document across a server restart", () => {
  it("reconnects, re-pulls, and keeps streaming without losing or repeating a point", async () => {
    const home = tempHome();
    cleanups.push(home.remove);
    const first = await startMultiUser();
    let second: Gw | null = null;
    cleanups.push(async () => {
      if (second) await second.close();
      else await first.close();
    });
    const session = sessionFor(first, home.home, { reconnectTimeoutMs: 60_000 });
    cleanups.push(() => session.close());
    await session.register(username("carla"), PASSWORD);
    const source = new ColumnDataSource({ data: { i: [], v: [] } });
    const p = figure();
    p.line({ x: "i", y: "v", source });
    const doc = await session.publish(p, { name: "restart" });
    const disconnected = new Promise((resolve) => doc.on("disconnect", resolve));
    const reconnected = new Promise((resolve) => doc.on("reconnect", resolve));

    const acks: Array<Promise<void>> = [];
    const point = (i: number) => acks.push(doc.stream(source, { i: [i], v: [i * i] }));
    for (let i = 0; i < 10; i++) point(i); // in flight while the server goes down
    first.dropConnections(); // a crash: connections cut mid-write (a clean close would also wait for viewers)
    await first.closeKeepingData();
    await disconnected;
    expect(doc.state).toBe("reconnecting");
    for (let i = 10; i < 20; i++) point(i); // made while the server is down
    second = await startMultiUser(["--port", String(first.port)], first.dataDir);
    await reconnected;
    for (let i = 20; i < 30; i++) point(i);
    await Promise.all(acks);

    const expected = Array.from({ length: 30 }, (_, i) => i);
    expect(await storedColumns(second, session.token!, doc.id, source.id)).toEqual({ i: expected, v: expected.map((i) => i * i) });
    expect(doc.state).toBe("open");
  });

  it("stops for good, with a NotFoundError, when someone deletes the document", async () => {
    const home = tempHome();
    cleanups.push(home.remove);
    const gw = await startMultiUser();
    cleanups.push(() => gw.close());
    const session = sessionFor(gw, home.home);
    cleanups.push(() => session.close());
    await session.register(username("dee"), PASSWORD);
    const source = new ColumnDataSource({ data: { x: [1], y: [1] } });
    const p = figure();
    p.line({ x: "x", y: "y", source });
    const doc = await session.publish(p);
    const failed = new Promise<Error>((resolve) => doc.on("error", resolve));
    const del = await fetch(`${gw.url}/api/v1/docs/${doc.id}`, { method: "DELETE", headers: { authorization: `Bearer ${session.token}` } });
    expect(del.status).toBe(204);
    expect(await failed).toBeInstanceOf(NotFoundError);
    expect(doc.state).toBe("failed");
    await expect(doc.stream(source, { x: [2], y: [2] })).rejects.toBeInstanceOf(NotFoundError);
  });
});
