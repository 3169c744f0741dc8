import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ColumnDataSource, Document, Session, figure, type DocJson, type ModelChangedEvent } from "../../../client/index.ts";
import { patchDocFromClient, pullDocReq, type Message } from "../../../shared/protocol/index.ts";
import { BokehTestClient, tokenFromPage } from "../../helpers/bokeh-client.ts";
import { PASSWORD, sessionFor, startMultiUser, removeTempHomes, tempHome, username, type Gw } from "./client-helpers.ts";

type Events = { events: Array<{ kind: string; model?: { id: string }; data?: unknown }> };

const viewers: BokehTestClient[] = [];
const sessions: Session[] = [];
afterEach(async () => {
  // Close sockets even when a test failed: a gateway waits for open document sockets when it closes.
  await Promise.all(viewers.splice(0).map((v) => (v.ws.readyState === v.ws.OPEN ? v.close() : v.closed)));
  await Promise.all(sessions.splice(0).map((x) => x.close()));
});

/** A Session on `gw` closed after each test. */
function track(session: Session): Session {
  sessions.push(session);
  return session;
}

/** A protocol viewer of a document page (anonymous for `?public=true`, else with `bearer`); closed after each test. */
async function viewer(gw: Gw, path: string, bearer?: string) {
  const headers: Record<string, string> = bearer ? { authorization: `Bearer ${bearer}` } : {};
  const page = await fetch(`${gw.url}${path}`, { headers });
  expect(page.status).toBe(200);
  const wsPath = path.replace(/(\?.*)?$/, (q) => `/ws${q}`);
  const client = await BokehTestClient.connect(`ws://127.0.0.1:${gw.port}${wsPath}`, tokenFromPage(await page.text()), headers);
  viewers.push(client);
  expect((await client.next()).header.msgtype).toBe("ACK");
  const req = pullDocReq();
  client.send(req);
  await client.reply(req.header.msgid);
  return client;
}

const streamed = (sourceId: string) => (m: Message) => m.header.msgtype === "PATCH-DOC" &&
  (m.content as Events).events.some((e) => e.kind === "ColumnsStreamed" && e.model?.id === sourceId);

/** The columns of `sourceId` in the document a viewer pulled. */
function pulledColumns(client: BokehTestClient, sourceId: string): Record<string, unknown[]> {
  const reply = client.messages.find((m) => m.header.msgtype === "PULL-DOC-REPLY")!;
  const doc = Document.from_json((reply.content as { doc: DocJson }).doc, new Map(reply.buffers.map((b) => [b.id, b.data])));
  const data = doc.get_model_by_id(sourceId)!.get<Map<string, unknown[]>>("data");
  return Object.fromEntries([...data].map(([k, v]) => [k, [...v]]));
}

/** The source's columns as the server stored them. */
async function storedColumns(gw: Gw, token: string, docId: string, sourceId: string): Promise<Record<string, unknown[]>> {
  const res = await fetch(`${gw.url}/api/v1/docs/${docId}`, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const doc = Document.from_json(await res.json());
  const data = doc.get_model_by_id(sourceId)!.get<Map<string, unknown[]>>("data");
  return Object.fromEntries([...data].map(([k, v]) => [k, [...v]]));
}

describe("publishing from a script: live documents", () => {
  let gw: Gw;
  let home: ReturnType<typeof tempHome>;
  beforeAll(async () => {
    gw = await startMultiUser();
    home = tempHome();
  });
  afterAll(async () => {
    await gw?.close();
    removeTempHomes();
  });

  it("publishes a figure, streams to viewers, and hears a viewer's change", async () => {
    const session = track(sessionFor(gw, home.home));
    await session.register(username("ana"), PASSWORD);
    const source = new ColumnDataSource({ data: { x: [1, 2], y: [3, 4] } });
    const p = figure({ title: "Sales" });
    p.line({ x: "x", y: "y", source });
    const doc = await session.publish(p, { name: "sales", visibility: "public" });
    expect(doc.url).toBe(`${gw.url}/doc/${doc.id}`);
    expect(doc.publicUrl).toBe(`${doc.url}?public=true`);
    expect(doc.state).toBe("open");

    const anon = await viewer(gw, `/doc/${doc.id}?public=true`);
    await doc.stream(source, { x: [3], y: [5] }, { rollover: 1000 });
    await anon.next(streamed(source.id));
    expect(await storedColumns(gw, session.token!, doc.id, source.id)).toEqual({ x: [1, 2, 3], y: [3, 4, 5] });

    const changes: ModelChangedEvent[] = [];
    const heard = new Promise<void>((resolve) => doc.on("change", (ev) => {
      if (ev.kind === "ModelChanged") changes.push(ev);
      resolve();
    }));
    const owner = await viewer(gw, `/doc/${doc.id}`, session.token!);
    const change = patchDocFromClient({ events: [{ kind: "ModelChanged", model: { id: source.id }, attr: "name", new: "renamed" }] });
    owner.send(change);
    expect((await owner.reply(change.header.msgid)).header.msgtype).toBe("OK");
    await heard;
    expect(changes).toHaveLength(1);
    expect(changes[0].model).toBe(source);
    expect(changes[0].new).toBe("renamed");
    expect(source.get("name")).toBe("renamed");

    await session.close();
    expect(doc.state).toBe("closed");
  });

  it("a script's stream is applied once in the live session that viewers pull from, as in the store", async () => {
    const session = track(sessionFor(gw, home.home));
    await session.register(username("cy"), PASSWORD);
    const source = new ColumnDataSource({ data: { x: [1, 2], y: [3, 4] } });
    const p = figure();
    p.line({ x: "x", y: "y", source });
    const doc = await session.publish(p, { visibility: "public" });
    await viewer(gw, `/doc/${doc.id}?public=true`); // keeps the live session loaded
    await doc.stream(source, { x: [3], y: [5] });
    const late = await viewer(gw, `/doc/${doc.id}?public=true`);
    expect(pulledColumns(late, source.id)).toEqual({ x: [1, 2, 3], y: [3, 4, 5] });
    await session.close();
  });

  it("opens a published document again from another session and updates it", async () => {
    const first = track(sessionFor(gw, home.home));
    await first.register(username("bo"), PASSWORD);
    const source = new ColumnDataSource({ data: { t: [0], v: [1] }, name: "prices" });
    const p = figure();
    p.scatter({ x: "t", y: "v", source });
    const published = await first.publish(p, { name: "prices" });
    await first.close();

    const second = track(sessionFor(gw, home.home)); // the token saved by register
    const doc = await second.open(published.id);
    const prices = doc.document.get_model_by_name("prices") as ColumnDataSource;
    await doc.stream(prices, { t: [1], v: [2] });
    expect(await storedColumns(gw, second.token!, doc.id, prices.id)).toEqual({ t: [0, 1], v: [1, 2] });
    await expect(doc.stream(source, { t: [2], v: [3] })).rejects.toThrow(/not part of this document/);
    await second.close();
  });
});
