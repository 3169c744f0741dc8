import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { Server, pullSession, generateSessionId, serverDocument, serverSession } from "../../index.ts";
import { pullDocReq } from "../../shared/protocol/index.ts";
import { BokehTestClient, tokenFromPage } from "../helpers/bokeh-client.ts";
import { projectRoot } from "../helpers/start-gateway.ts";

const demo = path.join(projectRoot, "apps", "demo.ts");
const SECRET = "test-secret-key-that-is-long-enough-0123456789";
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const handles = () => process.getActiveResourcesInfo().filter((r) => r !== "TTYWrap").sort();

describe("programmatic Server", () => {
  it("starts, serves an app, and stops without leaking handles", async () => {
    void process.stdout; // created lazily on first use (the logger touches it): not a handle the server leaks
    const before = handles();
    const server = new Server({ apps: { "/sliders": demo }, port: 0, logLevel: "silent" });
    await server.start();
    const res = await fetch(`${server.address!.url}/sliders`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Bokeh.embed.embed_items");
    await server.stop();
    expect(server.address).toBeNull();
    await expect.poll(handles, { timeout: 5000 }).toEqual(before);
  });

  it("refuses options the CLI would refuse, listing every problem", () => {
    expect(() => new Server({ apps: { "/a/b": demo }, port: 99999 })).toThrow(/--port/);
    expect(() => new Server({ apps: {} })).toThrow(/at least one app/);
    expect(() => new Server({ apps: { "/x": demo }, signSessions: true })).toThrow(/PLOTHOST_SECRET_KEY/);
  });
});

describe("mounted in an existing express app", () => {
  it("serves the app, BokehJS and the WebSocket under /viz", async () => {
    const host = express();
    host.get("/", (_req, res) => void res.send("host site"));
    const httpServer = http.createServer(host);
    const server = new Server({ apps: { "/demo": demo }, logLevel: "silent" });
    await server.attach(httpServer, host, "/viz");
    await new Promise<void>((r) => httpServer.listen(0, "127.0.0.1", r));
    cleanups.push(async () => {
      await server.stop();
      httpServer.closeAllConnections();
      await new Promise((r) => httpServer.close(r));
    });
    const base = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
    expect(await (await fetch(`${base}/`)).text()).toBe("host site");
    const html = await (await fetch(`${base}/viz/demo`)).text();
    expect(html).toContain('src="/viz/static/js/bokeh.min.js?v=3.10.0"');
    expect((await fetch(`${base}/viz/static/js/bokeh.min.js`)).status).toBe(200);
    const client = await BokehTestClient.connect(`ws://127.0.0.1:${(httpServer.address() as AddressInfo).port}/viz/demo/ws`, tokenFromPage(html));
    expect((await client.next()).header.msgtype).toBe("ACK");
    const req = pullDocReq();
    client.send(req);
    expect((await client.reply(req.header.msgid)).header.msgtype).toBe("PULL-DOC-REPLY");
    await client.close();
    // A client cannot claim another mount point: the gateway overwrites the header.
    const spoofed = await (await fetch(`${base}/viz/demo`, { headers: { "x-plothost-mount": "/evil" } })).text();
    expect(spoofed).toContain('src="/viz/static/js/bokeh.min.js');
  });
});

describe("signed sessions (--sign-sessions)", () => {
  const start = async () => {
    const server = new Server({ apps: { "/demo": demo }, port: 0, logLevel: "silent", signSessions: true, secretKey: SECRET });
    await server.start();
    cleanups.push(() => server.stop());
    return server.address!.url;
  };

  it("a client holding the key customises a session, which a page then embeds", async () => {
    const url = await start();
    const sessionId = generateSessionId({ secretKey: SECRET, signed: true });
    const session = await pullSession({ url: `${url}/demo`, sessionId, secretKey: SECRET });
    session.document.title = "customised";
    await session.flush();
    await session.close();
    const tag = serverSession({ url: `${url}/demo`, sessionId });
    const src = /src="([^"]+)"/.exec(tag)![1].replace(/&amp;/g, "&");
    const js = await (await fetch(src)).text();
    expect(js).toContain("embed_items");
    const again = await pullSession({ url: `${url}/demo`, sessionId, secretKey: SECRET });
    expect(again.document.title).toBe("customised");
    await again.close();
  });

  it("refuses unsigned and forged session ids and tokens", async () => {
    const url = await start();
    const unsigned = await fetch(`${url}/demo?bokeh-session-id=${generateSessionId()}`);
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toMatchObject({ error: { code: "bad_session_id" } });
    const forgedId = `${generateSessionId()}.${"A".repeat(43)}`;
    expect((await fetch(`${url}/demo/autoload.js?bokeh-autoload-element=x&bokeh-session-id=${forgedId}`)).status).toBe(403);
    await expect(pullSession({ url: `${url}/demo` })).rejects.toThrow(/refused the session \(HTTP 403\)/);
    await expect(pullSession({ url: `${url}/demo`, secretKey: "a-different-secret-key-that-is-long-enough" })).rejects.toThrow(/HTTP 403/);
    // The page mints a signed id and token itself.
    const html = await (await fetch(`${url}/demo`)).text();
    const client = await BokehTestClient.connect(`${url.replace("http", "ws")}/demo/ws`, tokenFromPage(html));
    expect((await client.next()).header.msgtype).toBe("ACK");
    await client.close();
  });
});

describe("embed tags", () => {
  it("serverDocument points autoload.js at the app with arguments; headers switch to a fetch loader", () => {
    const tag = serverDocument("https://viz.example.com/sliders/", { arguments: { n: 5 } });
    expect(tag).toMatch(/^<script id="plothost-[0-9a-f-]+" src="https:\/\/viz\.example\.com\/sliders\/autoload\.js\?bokeh-autoload-element=plothost-/);
    expect(tag).toContain("bokeh-app-path=%2Fsliders&amp;bokeh-absolute-url=https%3A%2F%2Fviz.example.com%2Fsliders&amp;n=5");
    const withHeaders = serverDocument("https://viz.example.com/sliders", { headers: { "x-team": "</script>" } });
    expect(withHeaders).toContain('<div id="plothost-');
    expect(withHeaders).not.toContain('"</script>"');
  });
});
