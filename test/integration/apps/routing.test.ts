import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pullDocReq } from "../../../shared/protocol/index.ts";
import { BokehTestClient, tokenFromPage } from "../../helpers/bokeh-client.ts";
import { startGateway } from "../../helpers/start-gateway.ts";
import { appsClient, deployToken, fixture, tarGz } from "./app-helpers.ts";

describe("several workers per app: least-loaded for new sessions, sticky for known ones", { timeout: 120_000 }, () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gw = await startGateway(["--max-procs", "2"]);
    const c = appsClient(gw.url, await deployToken(gw.url));
    const res = await c.deploy("pid", await tarGz(fixture("pid.ts")));
    expect((await c.waitForJob("pid", res.body.deploy.id)).state).toBe("done");
  });
  afterAll(async () => {
    await gw?.close();
  });

  const page = async () => {
    const html = await (await fetch(`${gw.url}/defaultuser/pid`)).text();
    return { token: tokenFromPage(html), pid: /<title>worker:([\w-]+)<\/title>/.exec(html)![1] };
  };
  const pidOverWebSocket = async (token: string) => {
    const client = await BokehTestClient.connect(`ws://127.0.0.1:${gw.port}/defaultuser/pid/ws`, token);
    await client.next((m) => m.header.msgtype === "ACK");
    const req = pullDocReq();
    client.send(req);
    const reply = await client.reply(req.header.msgid);
    await client.close();
    return /^worker:([\w-]+)$/.exec((reply.content as { doc: { title: string } }).doc.title)![1];
  };

  it("starts a second worker for a new session when the first is busy, and keeps each session on its worker", async () => {
    const a = await page();
    const b = await page(); // the first worker holds a's session: b goes to a new one
    expect(b.pid).not.toBe(a.pid);
    expect(gw.apps.router.get("defaultuser", "pid")!.workerInfo.filter((w) => w.state === "running")).toHaveLength(2);
    // Each session's WebSocket reaches the worker that holds its document.
    expect(await pidOverWebSocket(b.token)).toBe(b.pid);
    expect(await pidOverWebSocket(a.token)).toBe(a.pid);
  });
});
