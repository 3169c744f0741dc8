import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pullDocReq, patchDocFromClient } from "../../shared/protocol/index.ts";
import { BokehTestClient, tokenFromPage } from "../helpers/bokeh-client.ts";
import { startGateway } from "../helpers/start-gateway.ts";

const fixture = JSON.parse(fs.readFileSync(new URL("../fixtures/bokeh-3.6-docs/line_scatter_hover.json", import.meta.url), "utf8"));
type Gw = Awaited<ReturnType<typeof startGateway>>;

describe("published documents in multi-user mode", () => {
  let gw: Gw;
  let ana: string;
  let bob: string;
  let admin: string;
  const call = (token: string | null, method: string, path: string, body?: unknown) => fetch(`${gw.url}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const register = async (username: string) => {
    const res = await call(null, "POST", "/api/v1/register", { username, password: `${username}-Passw0rd-long` });
    expect(res.status).toBe(201);
    return ((await res.json()) as { token: string }).token;
  };

  beforeAll(async () => {
    gw = await startGateway(["-m", "--bcrypt-cost", "4"]);
    admin = await register("root"); // the first account is an admin
    ana = await register("ana");
    bob = await register("Bob");
  });
  afterAll(async () => {
    await gw?.close();
  });

  const publish = async (token: string, query = "") => {
    const res = await call(token, "POST", `/api/v1/docs?name=plot${query}`, fixture);
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };

  it("needs a login and the publish scope to publish", async () => {
    expect((await call(null, "POST", "/api/v1/docs", fixture)).status).toBe(401);
    const res = await call(ana, "POST", "/api/v1/tokens", { name: "read-only", scopes: ["read"] });
    expect(res.status).toBe(201);
    const readOnly = ((await res.json()) as { token: string }).token;
    const refused = await call(readOnly, "POST", "/api/v1/docs", fixture);
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.code).toBe("insufficient_scope");
  });

  it("hides a private document from everyone but its owner and admins, with 404s", async () => {
    const id = await publish(ana);
    expect((await call(ana, "GET", `/api/v1/docs/${id}`)).status).toBe(200);
    expect((await call(admin, "GET", `/api/v1/docs/${id}`)).status).toBe(200);
    expect((await call(bob, "GET", `/api/v1/docs/${id}`)).status).toBe(404);
    expect((await call(bob, "GET", `/doc/${id}`)).status).toBe(404);
    expect((await call(null, "GET", `/doc/${id}`)).status).toBe(404);
    expect((await call(null, "GET", `/doc/${id}?public=true`)).status).toBe(404);
    expect((await call(bob, "PUT", `/api/v1/docs/${id}`, fixture)).status).toBe(404);
    const list = (await (await call(bob, "GET", "/api/v1/docs")).json()) as { documents: unknown[] };
    expect(list.documents).toEqual([]);
  });

  it("shares with named users (case-insensitively), who may interact but not manage", async () => {
    const id = await publish(ana);
    const shared = await call(ana, "PATCH", `/api/v1/docs/${id}`, { visibility: "shared", sharedWith: ["bob"] });
    expect(shared.status).toBe(200);
    expect((await call(bob, "GET", `/api/v1/docs/${id}`)).status).toBe(200);
    const del = await call(bob, "DELETE", `/api/v1/docs/${id}`);
    expect(del.status).toBe(403);
    expect((await del.json()).error.code).toBe("not_document_owner");

    const page = await call(bob, "GET", `/doc/${id}`);
    expect(page.status).toBe(200);
    const client = await BokehTestClient.connect(`ws://127.0.0.1:${gw.port}/doc/${id}/ws`, tokenFromPage(await page.text()), { authorization: `Bearer ${bob}` });
    expect((await client.next()).header.msgtype).toBe("ACK");
    const pull = pullDocReq();
    client.send(pull);
    await client.reply(pull.header.msgid);
    const change = patchDocFromClient({ events: [{ kind: "ModelChanged", model: { id: "p1001" }, attr: "name", new: "bob-was-here" }] });
    client.send(change);
    expect((await client.reply(change.header.msgid)).header.msgtype).toBe("OK");
    expect(await (await call(ana, "GET", `/api/v1/docs/${id}`)).text()).toContain("bob-was-here");

    // Unsharing cuts Bob off at once.
    expect((await call(ana, "PATCH", `/api/v1/docs/${id}`, { visibility: "private" })).status).toBe(200);
    expect((await client.closed).code).toBe(1008);
  });

  it("gives anonymous WebSockets the public view: public documents only (embeds connect without ?public=true)", async () => {
    const pub = await publish(ana, "&visibility=public");
    const priv = await publish(ana);
    const page = await call(null, "GET", `/doc/${pub}?public=true`);
    expect(page.status).toBe(200);
    const token = tokenFromPage(await page.text());
    await expect(BokehTestClient.connect(`ws://127.0.0.1:${gw.port}/doc/${priv}/ws`, token)).rejects.toMatchObject({ status: 404 });
    await expect(BokehTestClient.connect(`ws://127.0.0.1:${gw.port}/doc/${priv}/ws?public=true`, token)).rejects.toMatchObject({ status: 404 });
    for (const query of ["", "?public=true", "?from=embedding-site"]) {
      const anon = await BokehTestClient.connect(`ws://127.0.0.1:${gw.port}/doc/${pub}/ws${query}`, token);
      expect((await anon.next()).header.msgtype).toBe("ACK");
      const change = patchDocFromClient({ events: [{ kind: "ModelChanged", model: { id: "p1001" }, attr: "name", new: "anon" }] });
      anon.send(change);
      expect((await anon.reply(change.header.msgid)).header.msgtype).toBe("ERROR"); // read-only
      await anon.close();
    }
  });

  it("embeds a public document in another page with autoload.js", async () => {
    const pub = await publish(ana, "&visibility=public");
    const js = await call(null, "GET", `/doc/${pub}/autoload.js?bokeh-autoload-element=el&bokeh-absolute-url=${encodeURIComponent(`${gw.url}/doc/${pub}`)}&public=true`);
    expect(js.status).toBe(200);
    const code = await js.text();
    expect(code).toContain(`"/doc/${pub}"`);
    expect(code).toContain(`${gw.url}/static/js/bokeh.min.js`);
    expect((await call(null, "GET", `/doc/${await publish(ana)}/autoload.js?bokeh-autoload-element=el&public=true`)).status).toBe(404);
  });

  it("deleting an account deletes its documents and share links, and disconnects their viewers", async () => {
    const dora = await register("Dora");
    const pub = await publish(dora, "&visibility=public");
    const priv = await publish(dora);
    const linkRes = await call(dora, "POST", `/api/v1/docs/${priv}/links`, { mode: "view" });
    expect(linkRes.status).toBe(201);
    const linkUrl = ((await linkRes.json()) as { url: string }).url;
    const others = await publish(ana, "&visibility=public");
    const watch = async (pagePath: string, wsPath: string) => {
      const page = await call(null, "GET", pagePath);
      expect(page.status).toBe(200);
      const client = await BokehTestClient.connect(`ws://127.0.0.1:${gw.port}${wsPath}`, tokenFromPage(await page.text()));
      expect((await client.next()).header.msgtype).toBe("ACK");
      return client;
    };
    const linkPath = new URL(linkUrl).pathname;
    const publicViewer = await watch(`/doc/${pub}?public=true`, `/doc/${pub}/ws`);
    const linkViewer = await watch(linkPath, `${linkPath}/ws`);
    const othersViewer = await watch(`/doc/${others}?public=true`, `/doc/${others}/ws`);

    type Summary = { username: string; docs: number };
    const summary = async () => ((await (await call(admin, "GET", "/api/v1/admin/user-summaries?q=dora")).json()) as { users: Summary[] }).users;
    expect(await summary()).toEqual([expect.objectContaining({ username: "Dora", docs: 2 })]);
    expect((await call(admin, "DELETE", "/api/v1/admin/users/dora")).status).toBe(204);

    for (const id of [pub, priv]) expect((await call(admin, "GET", `/api/v1/docs/${id}`)).status).toBe(404);
    expect((await publicViewer.closed).code).toBe(1008);
    expect((await linkViewer.closed).code).toBe(1008);
    expect((await call(null, "GET", `/doc/${pub}?public=true`)).status).toBe(404);
    expect((await call(null, "GET", linkPath)).status).toBe(404);
    expect(await gw.auth.db.shareLink.count({ where: { docId: priv } })).toBe(0);
    const listed = (await (await call(admin, "GET", "/api/v1/admin/docs")).json()) as { documents: Array<{ owner: string }> };
    expect(listed.documents.filter((d) => d.owner === "Dora")).toEqual([]);
    expect(await summary()).toEqual([]);
    // Other users' documents and viewers are untouched; a new account of the same name inherits nothing.
    expect((await call(ana, "GET", `/api/v1/docs/${others}`)).status).toBe(200);
    const ping = pullDocReq();
    othersViewer.send(ping);
    expect((await othersViewer.reply(ping.header.msgid)).header.msgtype).toBe("PULL-DOC-REPLY");
    await othersViewer.close();
    const again = await register("dora");
    expect(((await (await call(again, "GET", "/api/v1/docs")).json()) as { documents: unknown[] }).documents).toEqual([]);
  });
});
