import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pullDocReq, patchDocFromClient, serverInfoReq } from "../../shared/protocol/index.ts";
import { BokehTestClient, tokenFromPage } from "../helpers/bokeh-client.ts";
import { startGateway } from "../helpers/start-gateway.ts";

type Obj = { type?: string; name?: string; id: string; attributes?: Record<string, unknown> };

/** Every model written in full anywhere inside a JSON value. */
function models(value: unknown, out: Obj[] = []): Obj[] {
  if (Array.isArray(value)) for (const v of value) models(v, out);
  else if (value && typeof value === "object") {
    const o = value as Obj;
    if (o.type === "object" && typeof o.id === "string" && typeof o.name === "string") out.push(o);
    for (const v of Object.values(value)) models(v, out);
  }
  return out;
}

describe("gateway → sandboxed worker → Bokeh protocol (demo app)", () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw?.close();
  });

  const openSession = async () => {
    const page = await fetch(`${gw.url}/demo`);
    expect(page.status).toBe(200);
    const token = tokenFromPage(await page.text());
    const client = await BokehTestClient.connect(`ws://127.0.0.1:${gw.port}/demo/ws`, token);
    const ack = await client.next();
    expect(ack.header.msgtype).toBe("ACK");
    const req = pullDocReq();
    client.send(req);
    const reply = await client.reply(req.header.msgid);
    expect(reply.header.msgtype).toBe("PULL-DOC-REPLY");
    const doc = (reply.content as { doc: { roots: unknown[]; title: string } }).doc;
    const all = models(doc.roots);
    const byName = (n: string) => all.find((m) => m.attributes?.name === n)!;
    return { client, doc, all, byName };
  };

  it("serves the session page with BokehJS and a token", async () => {
    const res = await fetch(`${gw.url}/demo`);
    const html = await res.text();
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(html).toContain("/static/js/bokeh.min.js?v=3.10.0");
    expect(html).toContain("/static/js/bokeh-widgets.min.js");
    expect(html).toMatch(/data-root-id="p\d+"/);
    expect(tokenFromPage(html).length).toBeGreaterThan(40);
  });

  it("serves BokehJS from the npm package, compressed and cacheable", async () => {
    const res = await fetch(`${gw.url}/static/js/bokeh.min.js?v=3.10.0`, { headers: { "accept-encoding": "gzip" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(res.headers.get("cache-control")).toContain("immutable");
    expect((await res.text()).length).toBeGreaterThan(1_000_000);
    const missing = await fetch(`${gw.url}/static/js/../../package.json`);
    expect(missing.status).toBe(404);
  });

  it("a protocol client pulls a document with the plot and the widgets", async () => {
    const { client, doc, all, byName } = await openSession();
    expect(doc.title).toBe("plothost demo");
    const names = new Set(all.map((m) => m.name));
    for (const n of ["Figure", "GlyphRenderer", "Line", "Scatter", "ColumnDataSource", "Slider", "Button"]) expect(names).toContain(n);
    expect(byName("points").name).toBe("ColumnDataSource");
    const info = serverInfoReq();
    client.send(info);
    const infoReply = await client.reply(info.header.msgid);
    expect(infoReply.content).toEqual({ version_info: { bokeh: "3.10.0", server: "3.10.0" } });
    await client.close();
  });

  it("moving the slider runs the server callback, which sends new column data", async () => {
    const { client, byName } = await openSession();
    const slider = byName("frequency");
    const source = byName("points");
    const patch = patchDocFromClient({ events: [{ kind: "ModelChanged", model: { id: slider.id }, attr: "value", new: 2.5 }] });
    client.send(patch);
    const change = await client.next((m) => m.header.msgtype === "PATCH-DOC" &&
      JSON.stringify(m.content).includes(`"id":"${source.id}"`));
    const ev = (change.content as { events: Array<{ kind: string; model: { id: string } }> }).events[0];
    expect(["ColumnDataChanged", "ColumnsStreamed"]).toContain(ev.kind);
    expect(change.buffers.length).toBeGreaterThan(0); // 50 float64 values travel as binary buffers
    const ok = await client.reply(patch.header.msgid);
    expect(ok.header.msgtype).toBe("OK");
    await client.close();
  });

  it("a button click appends a point with ColumnsStreamed", async () => {
    const { client, byName } = await openSession();
    const button = byName("add");
    const source = byName("points");
    client.send(patchDocFromClient({ events: [{ kind: "MessageSent", msg_type: "bokeh_event",
      msg_data: { type: "event", name: "button_click", values: { type: "map", entries: [["model", { id: button.id }]] } } }] }));
    const streamed = await client.next((m) => m.header.msgtype === "PATCH-DOC" &&
      (m.content as { events: Array<{ kind: string; model?: { id: string } }> }).events.some((e) => e.kind === "ColumnsStreamed" && e.model?.id === source.id));
    expect(JSON.stringify(streamed.content)).toContain('"rollover":null');
    await client.close();
  });

  it("a bad PATCH-DOC gets a protocol ERROR reply and the connection stays usable", async () => {
    const { client } = await openSession();
    const bad = patchDocFromClient({ events: [{ kind: "ModelChanged", model: { id: "nope" }, attr: "value", new: 1 }] });
    client.send(bad);
    const err = await client.reply(bad.header.msgid);
    expect(err.header.msgtype).toBe("ERROR");
    expect(typeof (err.content as { text: string }).text).toBe("string");
    const info = serverInfoReq();
    client.send(info);
    expect((await client.reply(info.header.msgid)).header.msgtype).toBe("SERVER-INFO-REPLY");
    await client.close();
  });

  it("refuses a WebSocket from a foreign Origin and one without a valid token", async () => {
    const page = await (await fetch(`${gw.url}/demo`)).text();
    const token = tokenFromPage(page);
    await expect(BokehTestClient.connect(`ws://127.0.0.1:${gw.port}/demo/ws`, token, { origin: "http://evil.example" }))
      .rejects.toMatchObject({ status: 403 });
    await expect(BokehTestClient.connect(`ws://127.0.0.1:${gw.port}/demo/ws`, "not-a-token"))
      .rejects.toMatchObject({ status: 403 });
    const same = await BokehTestClient.connect(`ws://127.0.0.1:${gw.port}/demo/ws`, token, { origin: `http://127.0.0.1:${gw.port}` });
    expect((await same.next()).header.msgtype).toBe("ACK");
    await same.close();
  });

  it("answers unknown paths with a JSON 404", async () => {
    const res = await fetch(`${gw.url}/no-such-app`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "not_found" } });
  });

  it("restarts a worker killed with SIGKILL, and the app works again", async () => {
    const sup = gw.supervisors.get("demo")!;
    await sup.ready();
    const pid = sup.pid!;
    const running = new Promise<void>((resolve) => {
      const onState = (s: string) => {
        if (s === "running" && sup.pid !== pid) {
          sup.off("state", onState);
          resolve();
        }
      };
      sup.on("state", onState);
    });
    process.kill(pid, "SIGKILL");
    await running;
    const { client, byName } = await openSession();
    expect(byName("frequency").name).toBe("Slider");
    await client.close();
  });
});

describe("an app that throws while building a session", () => {
  it("gets a clear error page, with the stack only in --dev mode", async () => {
    const app = new URL("../fixtures/apps/throws.ts", import.meta.url).pathname;
    const prod = await startGateway([app]);
    try {
      const res = await fetch(`${prod.url}/throws`);
      expect(res.status).toBe(500);
      const html = await res.text();
      expect(html).toContain("This app failed to start a session");
      expect(html).not.toContain("deliberate failure");
    } finally {
      await prod.close();
    }
    const dev = await startGateway(["--dev", app]);
    try {
      const html = await (await fetch(`${dev.url}/throws`)).text();
      expect(html).toContain("deliberate failure while building the session");
      expect(html).toContain("throws.ts");
    } finally {
      await dev.close();
    }
  });
});
