import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pullDocReq, patchDocFromClient } from "../../shared/protocol/index.ts";
import { redactSecrets } from "../../gateway/src/request-context.ts";
import { BokehTestClient, tokenFromPage } from "../helpers/bokeh-client.ts";
import { startGateway } from "../helpers/start-gateway.ts";

const fixture = JSON.parse(fs.readFileSync(new URL("../fixtures/bokeh-3.6-docs/line_scatter_hover.json", import.meta.url), "utf8"));
type Gw = Awaited<ReturnType<typeof startGateway>>;
const post = (url: string, body: unknown) => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("share links", () => {
  let gw: Gw;
  let docId: string;
  beforeAll(async () => {
    gw = await startGateway();
    const res = await post(`${gw.url}/api/v1/docs?name=shared-by-link`, fixture); // private
    docId = ((await res.json()) as { id: string }).id;
  });
  afterAll(async () => {
    await gw?.close();
  });

  const link = async (body: unknown) => {
    const res = await post(`${gw.url}/api/v1/docs/${docId}/links`, body);
    expect(res.status).toBe(201);
    return (await res.json()) as { id: number; url: string; mode: string; expiresAt: string | null };
  };
  const open = async (url: string) => {
    const page = await fetch(url);
    expect(page.status).toBe(200);
    const client = await BokehTestClient.connect(`${url.replace("http", "ws")}/ws`, tokenFromPage(await page.text()));
    expect((await client.next()).header.msgtype).toBe("ACK");
    const pull = pullDocReq();
    client.send(pull);
    await client.reply(pull.header.msgid);
    return client;
  };
  const rename = (name: string) => patchDocFromClient({ events: [{ kind: "ModelChanged", model: { id: "p1001" }, attr: "name", new: name }] });

  it("opens a private document: view links are read-only, interact links may change it", async () => {
    const view = await link({ mode: "view" });
    const interact = await link({ mode: "interact", expiresIn: 3600 });
    const unused = await link({ mode: "view" });
    expect(view.url).toMatch(/\/s\/phs_[A-Za-z0-9_-]{40,}$/);
    expect(interact.expiresAt).not.toBeNull();
    const viewer = await open(view.url);
    const editor = await open(interact.url);
    const refused = rename("from-view-link");
    viewer.send(refused);
    expect((await viewer.reply(refused.header.msgid)).header.msgtype).toBe("ERROR");
    // ...except the layout events BokehJS sends on its own, which are acknowledged and neither stored nor shared.
    const layout = patchDocFromClient({ events: [{ kind: "ModelChanged", model: { id: fixture.roots[0].id }, attr: "inner_width", new: 321 }] });
    viewer.send(layout);
    expect((await viewer.reply(layout.header.msgid)).header.msgtype).toBe("OK");
    const accepted = rename("from-interact-link");
    editor.send(accepted);
    expect((await editor.reply(accepted.header.msgid)).header.msgtype).toBe("OK");
    await viewer.next((m) => m.header.msgtype === "PATCH-DOC" && JSON.stringify(m.content).includes("from-interact-link"));
    await viewer.close();
    await editor.close();
    const listed = (await (await fetch(`${gw.url}/api/v1/docs/${docId}/links`)).json()) as { links: Array<{ id: number; lastUsedAt: string | null }> };
    expect(listed.links.find((l) => l.id === view.id)?.lastUsedAt).not.toBeNull();
    expect(listed.links.find((l) => l.id === unused.id)?.lastUsedAt).toBeNull();
    const stored = await (await fetch(`${gw.url}/api/v1/docs/${docId}`)).text();
    expect(stored).toContain("from-interact-link");
    expect(stored).not.toContain("from-view-link");
    const rootAttrs = (JSON.parse(stored) as { roots: Array<{ id: string; attributes: Record<string, unknown> }> }).roots[0].attributes;
    expect(rootAttrs.inner_width).toBeUndefined();
    const secret = view.url.split("/s/")[1];
    expect(JSON.stringify(listed)).not.toContain(secret); // secrets are shown once, never listed (only a prefix)
    expect(JSON.stringify(listed)).toContain(secret.slice(0, 10));
  });

  it("revoking one link disconnects its viewers at once and leaves the others working", async () => {
    const a = await link({ mode: "view" });
    const b = await link({ mode: "view" });
    const va = await open(a.url);
    const vb = await open(b.url);
    expect((await fetch(`${gw.url}/api/v1/docs/${docId}/links/${a.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await va.closed).code).toBe(1008);
    expect((await fetch(a.url)).status).toBe(404);
    expect((await fetch(b.url)).status).toBe(200);
    const info = pullDocReq();
    vb.send(info);
    expect((await vb.reply(info.header.msgid)).header.msgtype).toBe("PULL-DOC-REPLY");
    await vb.close();
  });

  it("an expired link stops working, and a connected viewer is cut off when it expires", async () => {
    const short = await link({ mode: "view", expiresIn: 1 });
    const viewer = await open(short.url);
    expect((await viewer.closed).code).toBe(1008);
    await expect.poll(async () => (await fetch(short.url)).status, { timeout: 5000 }).toBe(404);
  });

  it("rejects bad input and unknown secrets without telling which", async () => {
    expect((await post(`${gw.url}/api/v1/docs/${docId}/links`, { mode: "edit" })).status).toBe(400);
    expect((await post(`${gw.url}/api/v1/docs/${docId}/links`, { expiresIn: -5 })).status).toBe(400);
    const bogus = await fetch(`${gw.url}/s/phs_${"A".repeat(43)}`);
    expect(bogus.status).toBe(404);
    expect((await bogus.json()).error.code).toBe("share_link_invalid");
  });

  it("keeps secrets out of the request log", () => {
    expect(redactSecrets("/s/phs_abcdefghijklmnopqrstuvwxyz/ws")).toBe("/s/phs_abcdef…/ws");
  });
});
