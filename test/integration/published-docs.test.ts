import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pullDocReq, patchDocFromClient } from "../../shared/protocol/index.ts";
import { ColumnDataSource, Document } from "../../shared/index.ts";
import { BokehTestClient, tokenFromPage } from "../helpers/bokeh-client.ts";
import { startGateway } from "../helpers/start-gateway.ts";

const fixture = JSON.parse(fs.readFileSync(new URL("../fixtures/bokeh-3.6-docs/line_scatter_hover.json", import.meta.url), "utf8"));
const item = JSON.parse(fs.readFileSync(new URL("../fixtures/bokeh-3.6-docs/line_scatter_hover.json_item.json", import.meta.url), "utf8"));
const SOURCE = "p1001"; // the fixture's ColumnDataSource (columns x, y, label)

type Gw = Awaited<ReturnType<typeof startGateway>>;
type Events = { events: Array<{ kind: string; model?: { id: string } }> };

const json = (body: unknown) => ({ method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

async function publish(gw: Gw, body: unknown, query = "name=sales") {
  const res = await fetch(`${gw.url}/api/v1/docs?${query}`, json(body));
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; url: string; publicUrl: string | null; version: number };
}

async function viewer(gw: Gw, path: string) {
  const res = await fetch(`${gw.url}${path}`);
  expect(res.status).toBe(200);
  const wsPath = path.replace(/(\?.*)?$/, (q) => `/ws${q}`);
  const client = await BokehTestClient.connect(`ws://127.0.0.1:${gw.port}${wsPath}`, tokenFromPage(await res.text()));
  expect((await client.next()).header.msgtype).toBe("ACK");
  const req = pullDocReq();
  client.send(req);
  const reply = await client.reply(req.header.msgid);
  return { client, doc: (reply.content as { doc: { roots: Array<{ id: string }>; title: string } }).doc };
}

describe("published documents (single-user mode, file backend)", () => {
  let gw: Gw;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("publishes real Bokeh JSON and a json_item, and serves them back", async () => {
    const doc = await publish(gw, fixture);
    expect(doc.url).toBe(`${gw.url.replace("127.0.0.1", "127.0.0.1")}/doc/${doc.id}`);
    expect(doc.publicUrl).toBeNull();
    const back = await (await fetch(`${gw.url}/api/v1/docs/${doc.id}`)).json();
    // Same models and values (inline bytes may be re-encoded): compare through the document model.
    expect(Document.from_json(back).to_json().roots).toEqual(Document.from_json(fixture).to_json().roots);
    const fromItem = await publish(gw, item, "name=item&visibility=public");
    expect(fromItem.publicUrl).toBe(`${fromItem.url}?public=true`);
    const list = (await (await fetch(`${gw.url}/api/v1/docs`)).json()) as { documents: Array<{ id: string; name: string }> };
    expect(list.documents.map((d) => d.name)).toEqual(expect.arrayContaining(["sales", "item"]));
  });

  it("refuses what is not a Bokeh document with a clear 400", async () => {
    const res = await fetch(`${gw.url}/api/v1/docs`, json({ hello: "world" }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "bad_request" } });
    const broken = await fetch(`${gw.url}/api/v1/docs`, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(broken.status).toBe(400);
  });

  it("shows a private document only to its owner: ?public=true is a 404, like a missing id", async () => {
    const doc = await publish(gw, fixture);
    expect((await fetch(`${gw.url}/doc/${doc.id}`)).status).toBe(200);
    expect((await fetch(`${gw.url}/doc/${doc.id}?public=true`)).status).toBe(404);
    expect((await fetch(`${gw.url}/doc/nope?public=true`)).status).toBe(404);
    const root = fixture.roots[0].id;
    const one = await (await fetch(`${gw.url}/doc/${doc.id}/${root}`)).text();
    expect(one).toContain(`data-root-id="${root}"`);
    expect((await fetch(`${gw.url}/doc/${doc.id}/p999999`)).status).toBe(404);
  });

  it("?embed=1 pages may be framed by other sites; normal pages only by plothost's own", async () => {
    const doc = await publish(gw, fixture, "name=embed&visibility=public");
    const root = fixture.roots[0].id;
    const linkRes = await fetch(`${gw.url}/api/v1/docs/${doc.id}/links`, json({ mode: "view" }));
    const link = ((await linkRes.json()) as { url: string }).url;
    for (const url of [`${gw.url}/doc/${doc.id}`, `${gw.url}/doc/${doc.id}/${root}`, `${gw.url}/doc/${doc.id}?public=true`, link]) {
      const normal = await fetch(url);
      expect(normal.status).toBe(200);
      expect(normal.headers.get("x-frame-options")).toBe("SAMEORIGIN");
      expect(normal.headers.get("content-security-policy")).toBe("frame-ancestors 'self'");
      expect(await normal.text()).not.toContain("overflow: hidden");
      const embedded = await fetch(`${url}${url.includes("?") ? "&" : "?"}embed=1`);
      expect(embedded.status).toBe(200);
      expect(embedded.headers.get("x-frame-options")).toBeNull();
      expect(embedded.headers.get("content-security-policy")).toBeNull();
      const page = await embedded.text();
      expect(page).toContain("overflow: hidden");
      expect(page).toContain(`data-root-id="${root}"`);
    }
    const priv = await publish(gw, fixture, "name=embed-private");
    expect((await fetch(`${gw.url}/doc/${priv.id}?public=true&embed=1`)).status).toBe(404);
  });

  it("streams numbers into a typed column as a binary buffer to viewers, not as JSON numbers", async () => {
    const source = new ColumnDataSource({ data: { x: new Float64Array([0, 1]), y: new Float64Array([0, 1]) }, name: "typed" });
    const plot = new Document();
    plot.add_root(source);
    const doc = await publish(gw, plot.to_json(), "name=typed&visibility=public");
    const v = await viewer(gw, `/doc/${doc.id}?public=true`);
    const x = Array.from({ length: 1000 }, (_, i) => i * 0.5);
    const res = await fetch(`${gw.url}/api/v1/docs/${doc.id}/stream`, json({ source: "typed", data: { x, y: x } }));
    expect(res.status).toBe(200);
    const patch = await v.client.next((m) => m.header.msgtype === "PATCH-DOC" && (m.content as Events).events.some((e) => e.kind === "ColumnsStreamed"));
    expect(patch.buffers).toHaveLength(2);
    expect(patch.buffers.map((b) => b.data.byteLength)).toEqual([8000, 8000]);
    expect(JSON.stringify(patch.content)).not.toContain("499.5");
    await v.client.close();
  });

  it("streams from the API to every connected viewer, persisted first", async () => {
    const doc = await publish(gw, fixture, "name=live&visibility=public");
    const a = await viewer(gw, `/doc/${doc.id}`);
    const b = await viewer(gw, `/doc/${doc.id}?public=true`);
    const res = await fetch(`${gw.url}/api/v1/docs/${doc.id}/stream`, json({ source: SOURCE, data: { x: [10], y: [20], label: ["new"] }, rollover: 100 }));
    expect(res.status).toBe(200);
    const isStream = (m: { header: { msgtype: string }; content: unknown }) => m.header.msgtype === "PATCH-DOC" &&
      (m.content as Events).events.some((e) => e.kind === "ColumnsStreamed" && e.model?.id === SOURCE);
    await a.client.next(isStream);
    await b.client.next(isStream);
    const stored = await (await fetch(`${gw.url}/api/v1/docs/${doc.id}`)).text();
    expect(stored).toContain('"new"');
    const bad = await fetch(`${gw.url}/api/v1/docs/${doc.id}/stream`, json({ source: SOURCE, data: { x: [1] } }));
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/missing: y, label/);
    await a.client.close();
    await b.client.close();
  });

  it("applies Bokeh events and column patches from the API, with If-Match version checks", async () => {
    const doc = await publish(gw, fixture, "name=events&visibility=public");
    const v = await viewer(gw, `/doc/${doc.id}?public=true`);
    const events = await fetch(`${gw.url}/api/v1/docs/${doc.id}/events`, json({ events: [{ kind: "ModelChanged", model: { id: SOURCE }, attr: "name", new: "via-events" }] }));
    expect(events.status).toBe(200);
    expect(await events.json()).toEqual({ id: doc.id, version: 2 });
    expect(events.headers.get("etag")).toBe('"v2"');
    await v.client.next((m) => m.header.msgtype === "PATCH-DOC" && JSON.stringify(m.content).includes("via-events"));

    const patched = await fetch(`${gw.url}/api/v1/docs/${doc.id}/patch`, { ...json({ source: "via-events", patches: { label: [[0, "first!"]] } }), headers: { "content-type": "application/json", "if-match": '"v2"' } });
    expect(patched.status).toBe(200);
    await v.client.next((m) => m.header.msgtype === "PATCH-DOC" && (m.content as Events).events.some((e) => e.kind === "ColumnsPatched" && e.model?.id === SOURCE));
    const stale = await fetch(`${gw.url}/api/v1/docs/${doc.id}/events`, { ...json({ events: [{ kind: "ModelChanged", model: { id: SOURCE }, attr: "name", new: "stale" }] }), headers: { "content-type": "application/json", "if-match": '"v2"' } });
    expect(stale.status).toBe(409);
    expect((await stale.json()).error.code).toBe("conflict");
    const stored = Document.from_json(await (await fetch(`${gw.url}/api/v1/docs/${doc.id}`)).json());
    const label = stored.get_model_by_id(SOURCE)!.get<Map<string, unknown[]>>("data").get("label")!;
    expect(label[0]).toBe("first!");
    expect(stored.get_model_by_id(SOURCE)!.get("name")).toBe("via-events");
    const meta = await (await fetch(`${gw.url}/api/v1/docs/${doc.id}/meta`)).json();
    expect(meta).toMatchObject({ id: doc.id, name: "events", version: 3, visibility: "public", publicUrl: `${doc.url}?public=true` });
    expect((await fetch(`${gw.url}/api/v1/docs/${doc.id}/events`, json({ nope: 1 }))).status).toBe(400);
    await v.client.close();
  });

  it("a viewer's widget change is stored and reaches other viewers; a public viewer is read-only", async () => {
    const doc = await publish(gw, fixture, "name=interact&visibility=public");
    const owner = await viewer(gw, `/doc/${doc.id}`);
    const other = await viewer(gw, `/doc/${doc.id}`);
    const anon = await viewer(gw, `/doc/${doc.id}?public=true`);
    const change = patchDocFromClient({ events: [{ kind: "ModelChanged", model: { id: SOURCE }, attr: "name", new: "renamed" }] });
    owner.client.send(change);
    expect((await owner.client.reply(change.header.msgid)).header.msgtype).toBe("OK");
    await other.client.next((m) => m.header.msgtype === "PATCH-DOC" && JSON.stringify(m.content).includes("renamed"));
    expect(await (await fetch(`${gw.url}/api/v1/docs/${doc.id}`)).text()).toContain("renamed");

    const refused = patchDocFromClient({ events: [{ kind: "ModelChanged", model: { id: SOURCE }, attr: "name", new: "vandal" }] });
    anon.client.send(refused);
    const err = await anon.client.reply(refused.header.msgid);
    expect(err.header.msgtype).toBe("ERROR");
    // Layout events BokehJS sends on its own are accepted, and neither stored nor shared.
    const plot = fixture.roots[0].id;
    const layout = patchDocFromClient({ events: [{ kind: "ModelChanged", model: { id: plot }, attr: "inner_width", new: 123 }] });
    anon.client.send(layout);
    expect((await anon.client.reply(layout.header.msgid)).header.msgtype).toBe("OK");
    expect(await (await fetch(`${gw.url}/api/v1/docs/${doc.id}`)).text()).not.toContain("vandal");
    for (const v of [owner, other, anon]) await v.client.close();
  });

  it("making a document private disconnects its public viewers at once", async () => {
    const doc = await publish(gw, fixture, "name=revoke&visibility=public");
    const anon = await viewer(gw, `/doc/${doc.id}?public=true`);
    const res = await fetch(`${gw.url}/api/v1/docs/${doc.id}`, { method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ visibility: "private" }) });
    expect(res.status).toBe(200);
    expect((await anon.client.closed).code).toBe(1008);
    expect((await fetch(`${gw.url}/doc/${doc.id}?public=true`)).status).toBe(404);
  });

  it("replacing a document swaps it in front of connected viewers; deleting it closes them", async () => {
    const doc = await publish(gw, fixture, "name=swap");
    const v = await viewer(gw, `/doc/${doc.id}`);
    const next = { ...fixture, title: "replaced title" };
    const put = await fetch(`${gw.url}/api/v1/docs/${doc.id}`, { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify(next) });
    expect(put.status).toBe(200);
    await v.client.next((m) => m.header.msgtype === "PATCH-DOC" && JSON.stringify(m.content).includes("replaced title"));
    expect((await fetch(`${gw.url}/api/v1/docs/${doc.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await v.client.closed).code).toBe(1008);
    expect((await fetch(`${gw.url}/api/v1/docs/${doc.id}`)).status).toBe(404);
  });
});

describe("published documents survive a restart (file backend)", () => {
  it("keeps every acknowledged document and change", async () => {
    const first = await startGateway();
    const dataDir = first.dataDir;
    const doc = await publish(first, fixture, "name=durable");
    expect((await fetch(`${first.url}/api/v1/docs/${doc.id}/stream`, json({ source: SOURCE, data: { x: [7], y: [8], label: ["kept"] } }))).status).toBe(200);
    await first.closeKeepingData();
    const second = await startGateway([], {}, dataDir);
    try {
      const text = await (await fetch(`${second.url}/api/v1/docs/${doc.id}`)).text();
      expect(text).toContain('"kept"');
    } finally {
      await second.close();
    }
  });
});
