import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pullDocReq } from "../../../shared/protocol/index.ts";
import { BokehTestClient, tokenFromPage } from "../../helpers/bokeh-client.ts";
import { projectRoot } from "../../helpers/start-gateway.ts";
import { killServed, serve } from "./serve-process.ts";

afterAll(() => killServed());

/** An app session through the gateway, pulled. */
async function openSession(url: string, app: string): Promise<BokehTestClient> {
  const page = await fetch(`${url}/${app}`);
  expect(page.status).toBe(200);
  const client = await BokehTestClient.connect(`${url.replace(/^http/, "ws")}/${app}/ws`, tokenFromPage(await page.text()));
  expect((await client.next()).header.msgtype).toBe("ACK");
  const pull = pullDocReq();
  client.send(pull);
  await client.reply(pull.header.msgid);
  return client;
}

describe("graceful shutdown (SIGTERM)", () => {
  it("closes live sessions with 1001 (going away) so clients reconnect elsewhere, and exits 0", async () => {
    const server = await serve([]);
    const client = await openSession(server.url, "demo");
    const closed = new Promise<number>((resolve) => client.ws.once("close", (code: number) => resolve(code)));
    const started = Date.now();
    server.child.kill("SIGTERM");
    expect(await closed).toBe(1001);
    expect(await server.exit).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(server.out()).toMatch(/shutting down/);
  });

  it("closes published-document viewers with 1001 too, and still exits 0 at once", async () => {
    const server = await serve([]);
    const doc = { title: "viewed", roots: [{ type: "object", name: "Div", id: "d1", attributes: { text: "hi" } }] };
    const created = await fetch(`${server.url}/api/v1/docs?visibility=public`, {
      method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ doc }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    const page = await fetch(`${server.url}/doc/${id}?public=true`);
    const viewer = await BokehTestClient.connect(`${server.url.replace(/^http/, "ws")}/doc/${id}/ws?public=true`, tokenFromPage(await page.text()));
    expect((await viewer.next()).header.msgtype).toBe("ACK");
    const pull = pullDocReq();
    viewer.send(pull);
    expect((await viewer.reply(pull.header.msgid)).header.msgtype).toBe("PULL-DOC-REPLY");
    const started = Date.now();
    server.child.kill("SIGTERM");
    expect((await viewer.closed).code).toBe(1001);
    // The server's own close waits for upgraded connections: the viewers must be closed before it is awaited.
    expect(await server.exit).toBe(0);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("exits with code 1 once --shutdown-timeout passes, when a session's goodbye takes longer", async () => {
    const app = path.join(projectRoot, "test", "fixtures", "apps", "slow-goodbye.ts");
    const server = await serve([app, "--shutdown-timeout", "500"]);
    const client = await openSession(server.url, "slow-goodbye");
    const started = Date.now();
    server.child.kill("SIGTERM");
    expect(await server.exit).toBe(1);
    // The bound holds: well before the supervisor's own 3 s grace for the worker, let alone the app's minute.
    expect(Date.now() - started).toBeLessThan(2900);
    expect(server.out()).toMatch(/shutdown did not finish within --shutdown-timeout/);
    await client.closed.catch(() => {});
  });
});
