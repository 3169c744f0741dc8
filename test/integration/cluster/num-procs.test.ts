import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PID_APP, alive, clusterScratch } from "./cluster-helpers.ts";
import { pullDocReq } from "../../../shared/protocol/index.ts";
import { BokehTestClient, tokenFromPage } from "../../helpers/bokeh-client.ts";
import { projectRoot } from "../../helpers/start-gateway.ts";
import { runCli, startServe } from "../client/run-cli.ts";
import { appsClient, deployToken, tarGzOf } from "../apps/app-helpers.ts";

const DOC = fs.readFileSync(path.join(projectRoot, "test", "fixtures", "bokeh-3.6-docs", "line_scatter_hover.json"), "utf8");
const scratch = clusterScratch("cluster");
const { tmp, prefix } = scratch;

/** One request on a fresh TCP connection (no keep-alive), so the cluster may hand it to any process. */
function request(url: string, opts: { method?: string; body?: string } = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.request(url, {
      method: opts.method ?? "GET", agent: false, timeout: 30_000,
      headers: opts.body ? { "content-type": "application/json" } : {},
    }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => void (body += c));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`${url}: no answer within 30 s`)));
    req.on("error", reject);
    req.end(opts.body);
  });
}

const moduleApp = (title: string) => `
import { Div, type Document } from "plothost";
export default function app(doc: Document): void {
  doc.title = ${JSON.stringify(title)};
  doc.add_root(new Div({ text: "hello" }));
}
`;

/** Opens an app session (page, then WebSocket, each on a new connection); checks it is the page's session. */
async function openSession(base: string, appPath: string) {
  const page = await request(`${base}${appPath}`);
  expect(page.status).toBe(200);
  const title = /<title>([^<]*)<\/title>/.exec(page.body)![1];
  const client = await BokehTestClient.connect(`ws://127.0.0.1:${new URL(base).port}${appPath}/ws`, tokenFromPage(page.body));
  expect((await client.next()).header.msgtype).toBe("ACK");
  const pull = pullDocReq();
  client.send(pull);
  const reply = await client.reply(pull.header.msgid);
  expect(reply.header.msgtype).toBe("PULL-DOC-REPLY");
  expect((reply.content as { doc: { title: string } }).doc.title).toBe(title);
  await client.close();
  return { title, page: String(page.headers["x-plothost-process"]), ws: String(client.upgradeHeaders["x-plothost-process"]) };
}


describe("plothost serve --num-procs 2: gateway processes sharing the port through Redis", { timeout: 240_000 }, () => {
  afterAll(() => scratch.cleanup());

  it("without Redis, --num-procs 2 is refused (exit 2) saying what to add", async () => {
    const r = await runCli(["serve", "--num-procs", "2", "--port", "0", "-D", path.join(tmp, "no-redis")], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--num-procs 2 needs shared state: several gateway processes only work with --backend redis/);
  });

  it("any process serves any session and any viewer; SIGTERM to the primary stops all with exit 0", async () => {
    const served = await startServe([
      "--num-procs", "2", "--backend", "redis", "--redis-url", "redis://127.0.0.1:6379", "--redis-prefix", prefix,
      "--port", "0", PID_APP,
    ], {}, tmp);
    await served.printed("2 gateway processes: ");
    const children = /2 gateway processes: (\d+), (\d+)/.exec(served.out())!.slice(1).map(Number);
    const base = served.url.replace("localhost", "127.0.0.1");

    // App sessions: the page and the WebSocket each on a fresh connection; the session must be the page's one
    // (its document names the worker that built the page) whichever process the WebSocket lands on.
    const landed: Array<{ page: string; ws: string }> = [];
    for (let i = 0; i < 12; i++) {
      const session = await openSession(base, "/pid");
      expect(session.title).toMatch(/^worker:/);
      landed.push(session);
    }
    const pids = new Set(landed.flatMap((l) => [l.page, l.ws]));
    expect(pids).toEqual(new Set(children.map(String)));
    expect(landed.some((l) => l.page !== l.ws)).toBe(true);

    // A published document: viewers on both processes see an update made through the API.
    const created = await request(`${base}/api/v1/docs?name=shared&visibility=public`, { method: "POST", body: DOC });
    expect(created.status).toBe(201);
    const { id } = JSON.parse(created.body) as { id: string };
    // The pages first: then each attempt is one new connection, which the cluster hands to the next process.
    const tokens: string[] = [];
    for (let i = 0; i < 6; i++) {
      const page = await request(`${base}/doc/${id}?public=true`);
      expect(page.status).toBe(200);
      tokens.push(tokenFromPage(page.body));
    }
    const viewers = new Map<string, BokehTestClient>();
    for (let i = 0; i < tokens.length && viewers.size < 2; i++) {
      const viewer = await BokehTestClient.connect(`ws://127.0.0.1:${new URL(base).port}/doc/${id}/ws?public=true`, tokens[i]);
      const on = String(viewer.upgradeHeaders["x-plothost-process"]);
      if (viewers.has(on)) {
        await viewer.close();
        continue;
      }
      expect((await viewer.next()).header.msgtype).toBe("ACK");
      const pull = pullDocReq();
      viewer.send(pull);
      await viewer.reply(pull.header.msgid);
      viewers.set(on, viewer);
    }
    expect(new Set(viewers.keys())).toEqual(new Set(children.map(String)));
    const streamed = await request(`${base}/api/v1/docs/${id}/stream`, {
      method: "POST", body: JSON.stringify({ source: "p1001", data: { x: [1], y: [2], label: ["via-api"] } }),
    });
    expect(streamed.status).toBe(200);
    for (const viewer of viewers.values()) {
      await viewer.next((m) => m.header.msgtype === "PATCH-DOC" && JSON.stringify(m.content).includes("via-api"));
    }
    await Promise.all([...viewers.values()].map((v) => v.close()));

    // Deployed apps: a deploy job runs in one process; every process serves the new version at once.
    const apps = appsClient(base, await deployToken(base));
    for (const version of [1, 2]) {
      const res = await apps.deploy("hello", await tarGzOf({ "hello.ts": moduleApp(`hello v${version}`) }));
      expect(res.status).toBe(202);
      expect((await apps.waitForJob("hello", res.body.deploy.id)).state).toBe("done");
      const seen = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const page = await request(`${base}/defaultuser/hello`);
        expect(page.status).toBe(200);
        expect(page.body).toContain(`<title>hello v${version}</title>`);
        seen.add(String(page.headers["x-plothost-process"]));
      }
      expect(seen).toEqual(new Set(children.map(String)));
    }
    const deployedSessions = [await openSession(base, "/defaultuser/hello"), await openSession(base, "/defaultuser/hello")];
    expect(deployedSessions.every((d) => d.title === "hello v2")).toBe(true);
    expect(deployedSessions.some((d) => d.page !== d.ws)).toBe(true);

    // A process that dies is replaced; the new one serves sessions too.
    process.kill(children[1], "SIGKILL");
    await served.printed("replaced the dead one and listens");
    const replacement = Number(/"pid":(\d+)[^\n]*replaced the dead one/.exec(served.out())![1]);
    expect(children).not.toContain(replacement);
    let onReplacement = false;
    for (let i = 0; i < 6 && !onReplacement; i++) {
      const page = await request(`${base}/pid`);
      expect(page.status).toBe(200);
      onReplacement = page.headers["x-plothost-process"] === String(replacement);
    }
    expect(onReplacement).toBe(true);

    expect(await served.stop("SIGTERM")).toBe(0);
    expect([...children, replacement].filter(alive)).toEqual([]);
  });
});
