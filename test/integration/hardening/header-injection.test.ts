/**
 * Header injection (issue 10, HTTP input): nothing a client sends ends up as a header of its own making. CR/LF in
 * a path that is echoed into a redirect's Location stays percent-encoded; a header value with raw control
 * characters is refused by the parser (400) and the connection closed; a forged `x-plothost-user` (the header the
 * gateway signs for workers) or `x-request-id` is replaced, never passed on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BokehTestClient, tokenFromPage } from "../../helpers/bokeh-client.ts";
import { startGateway } from "../../helpers/start-gateway.ts";
import { fixture } from "../apps/app-helpers.ts";
import { rawExchange } from "./raw-http.ts";

const headerBlock = (text: string) => text.slice(0, text.indexOf("\r\n\r\n"));

describe("header injection (multi-user mode: anonymous browsers are redirected to /login?next=...)", () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gw = await startGateway(["-m", fixture("whoami.ts")]);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("CR/LF in the path stays encoded in the Location of the login redirect", async () => {
    for (const evil of ["/whoami%0d%0aSet-Cookie:%20evil=1", "/whoami%0aX-Injected:%20yes", "/whoami?x=%0d%0aX-Injected:%20yes", "/%0d%0a%0d%0a<script>alert(1)</script>"]) {
      const r = await rawExchange(gw.port, `GET ${evil} HTTP/1.1\r\nhost: 127.0.0.1\r\naccept: text/html\r\nconnection: close\r\n\r\n`);
      expect(r.status, evil).toBe(302);
      const head = headerBlock(r.text);
      expect(head, evil).not.toMatch(/^set-cookie: evil/im);
      expect(head, evil).not.toMatch(/^x-injected/im);
      const location = /^location: (.*)$/im.exec(head)?.[1] ?? "";
      expect(location.startsWith("/login?next=%2F"), location).toBe(true);
      expect(location).not.toMatch(/[\r\n<>]/);
    }
  });

  it("a header value with raw control characters is a 400 from the parser, and the connection is closed", async () => {
    for (const bad of ["x-a: b\rset-cookie: evil=1", "x-a: b\u0000c", "x y: z", "x-a: b\r\n set-cookie: evil=1"]) {
      const r = await rawExchange(gw.port, `GET /login HTTP/1.1\r\nhost: 127.0.0.1\r\n${bad}\r\n\r\n`, { waitMs: 5000 });
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect(r.closed).toBe(true);
      expect(headerBlock(r.text)).not.toMatch(/^set-cookie/im);
    }
  });

  it("a client-chosen x-request-id is kept only when it is a plain id", async () => {
    const plain = await fetch(`${gw.url}/login`, { headers: { "x-request-id": "abc-123" } });
    expect(plain.headers.get("x-request-id")).toBe("abc-123");
    const odd = await fetch(`${gw.url}/login`, { headers: { "x-request-id": "<script>; set-cookie=1" } });
    expect(odd.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("header injection (single-user mode): a forged x-plothost-user never reaches the app", () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gw = await startGateway([fixture("whoami.ts")]);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("the worker sees the gateway's user, whatever the client sent", async () => {
    const forged = { "x-plothost-user": JSON.stringify({ name: "mallory", role: "admin" }) + ".c2lnbmF0dXJl" };
    const page = await fetch(`${gw.url}/whoami`, { headers: forged });
    expect(page.status).toBe(200);
    const html = await page.text();
    const client = await BokehTestClient.connect(`ws://127.0.0.1:${gw.port}/whoami/ws`, tokenFromPage(html), forged);
    expect((await client.next()).header.msgtype).toBe("ACK");
    const { pullDocReq } = await import("../../../shared/protocol/index.ts");
    const req = pullDocReq();
    client.send(req);
    const reply = await client.reply(req.header.msgid);
    const title = (reply.content as { doc: { title: string } }).doc.title;
    expect(title).toContain('"name":"defaultuser"');
    expect(title).not.toContain("mallory");
    await client.close();
  });
});
