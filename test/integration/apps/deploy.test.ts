import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway } from "../../helpers/start-gateway.ts";
import { appsClient, deployToken, fixture, openSession, rawTarGz, tarGz, tarGzOf, waitForLine } from "./app-helpers.ts";

const moduleApp = (title: string) => `
import { Div, type Document } from "plothost";
export default function app(doc: Document, ctx: { user: { name: string } | null }): void {
  console.log("building a session for", ctx.user?.name);
  doc.title = ${JSON.stringify(title)};
  doc.add_root(new Div({ text: "hello" }));
}
`;

const titleOf = async (url: string) => /<title>([^<]*)<\/title>/.exec(await (await fetch(url)).text())?.[1];

// Single-user mode: every request acts as `defaultuser`, so deployed apps are served at /defaultuser/<app>.
describe("deploying apps (POST /api/v1/apps, local job queue)", { timeout: 120_000 }, () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let c: ReturnType<typeof appsClient>;
  beforeAll(async () => {
    gw = await startGateway(["--max-archive-size", String(64 * 1024)]);
    // Scripts deploy with a token: a multipart form riding on nothing would be forgeable by any web page.
    c = appsClient(gw.url, await deployToken(gw.url));
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("deploys a single module: the job reports its steps, then the app serves at /<user>/<app>", async () => {
    const res = await c.deploy("hello", await tarGzOf({ "hello.ts": moduleApp("hello v1") }));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ app: { owner: "defaultuser", name: "hello" }, version: 1, deploy: { name: "deploy", state: "queued" } });
    const job = await c.waitForJob("hello", res.body.deploy.id);
    expect(job).toMatchObject({ state: "done", progress: 100, result: { version: 1 }, error: null });
    expect(await titleOf(`${gw.url}/defaultuser/hello`)).toBe("hello v1");
    const { body } = await c.api("GET", "/hello");
    expect(body).toMatchObject({ name: "hello", state: "running", currentVersion: 1, url: `${gw.url}/defaultuser/hello` });
    expect(body.versions).toMatchObject([{ version: 1, status: "ready", format: "module", entry: "hello.ts" }]);
    expect(body.workers).toHaveLength(1);
    expect((await c.api("GET", "")).body.apps.map((a: { name: string }) => a.name)).toContain("hello");
    // The owner reads the app's output.
    const logs = await c.api("GET", "/hello/logs");
    expect(logs.body.lines.join("\n")).toContain("building a session for defaultuser");
  });

  it("deploys a directory app with its lifecycle hooks, static files, theme and template", async () => {
    const res = await c.deploy("dash", await tarGz(fixture("dirapp")));
    expect(res.status).toBe(202);
    expect((await c.waitForJob("dash", res.body.deploy.id)).state).toBe("done");
    const page = await fetch(`${gw.url}/defaultuser/dash`);
    const html = await page.text();
    expect(html).toContain('<h1 id="greeting">Hello &lt;b&gt;world&lt;/b&gt;</h1>');
    expect(html).toMatch(/created [\w-]+/);
    expect(await (await fetch(`${gw.url}/defaultuser/dash/static/style.css`)).text()).toContain("teal");
    const { doc, client } = await openSession(gw.url, "/defaultuser/dash");
    expect(JSON.stringify(doc)).toContain('"background_fill_color":"#123456"');
    await client.close();
    await waitForLine(gw.apps.router.logFor("defaultuser", "dash"), /lifecycle: server loaded at \/defaultuser\/dash/);
  });

  it("fails a deploy with a syntax error with the compiler's message, and the previous version keeps serving", async () => {
    const broken = await c.deploy("hello", await tarGzOf({ "hello.ts": "export default function app(doc) {\n  const x = ;\n}\n" }));
    expect(broken.status).toBe(202);
    const job = await c.waitForJob("hello", broken.body.deploy.id);
    expect(job.state).toBe("failed");
    expect(job.attempts).toBe(1); // not retried: no retry fixes a syntax error
    expect(job.error).toMatch(/hello\.ts:2:\d+: Unexpected/);
    expect(await titleOf(`${gw.url}/defaultuser/hello`)).toBe("hello v1");
    const { body } = await c.api("GET", "/hello");
    expect(body.currentVersion).toBe(1);
    expect(body.versions[1]).toMatchObject({ version: 2, status: "failed" });
    expect(body.versions[1].error).toMatch(/Unexpected/);
  });

  it("fails a deploy whose module cannot be loaded, without switching traffic", async () => {
    const res = await c.deploy("hello", await tarGzOf({ "hello.ts": "export const notAnApp = 1;\n" }));
    const job = await c.waitForJob("hello", res.body.deploy.id);
    expect(job.state).toBe("failed");
    expect(job.error).toContain("must export a default function");
    expect(await titleOf(`${gw.url}/defaultuser/hello`)).toBe("hello v1");
  });

  it("switches to a new version, and rolls back to an earlier one", async () => {
    const v4 = await c.deploy("hello", await tarGzOf({ "hello.ts": moduleApp("hello v4") }));
    expect(v4.body.version).toBe(4);
    expect((await c.waitForJob("hello", v4.body.deploy.id)).state).toBe("done");
    expect(await titleOf(`${gw.url}/defaultuser/hello`)).toBe("hello v4");
    const back = await c.api("POST", "/hello/rollback", { version: 1 });
    expect(back.status).toBe(202);
    expect((await c.waitForJob("hello", back.body.deploy.id)).state).toBe("done");
    expect(await titleOf(`${gw.url}/defaultuser/hello`)).toBe("hello v1");
    expect((await c.api("GET", "/hello")).body.currentVersion).toBe(1);
    expect((await c.api("POST", "/hello/rollback", { version: 99 })).body.error.code).toBe("version_not_found");
    expect((await c.api("POST", "/hello/rollback", { version: 2 })).status).toBe(400); // the broken one
  });

  it("refuses archives with paths or links leading outside, too large, or without an app (nothing stored)", async () => {
    const traversal = await c.deploy("evil", rawTarGz([{ name: "main.ts", content: "export default () => {}" }, { name: "../../escape.ts", content: "x" }]));
    expect(traversal.status).toBe(400);
    expect(traversal.body.error.code).toBe("bad_archive");
    expect(traversal.body.error.message).toContain("../../escape.ts");
    const link = await c.deploy("evil", rawTarGz([{ name: "main.ts", content: "export default () => {}" }, { name: "passwd", type: "2", linkname: "../../../etc/passwd" }]));
    expect(link.status).toBe(400);
    expect(link.body.error.message).toContain("points outside");
    const absolute = await c.deploy("evil", rawTarGz([{ name: "/tmp/main.ts", content: "x" }]));
    expect(absolute.status).toBe(400);
    const empty = await c.deploy("evil", await tarGzOf({ "README.md": "no app here" }));
    expect(empty.status).toBe(400);
    const big = await c.deploy("evil", Buffer.alloc(100 * 1024, 7));
    expect(big.status).toBe(413);
    expect((await c.deploy("bad name!", await tarGzOf({ "x.ts": moduleApp("x") }))).status).toBe(400);
    expect((await c.api("GET", "/evil")).status).toBe(404);
    expect(fs.readdirSync(`${gw.dataDir}/deployments/.incoming`)).toEqual([]);
  });

  it("refuses a form riding on nothing but the browser (no token): CSRF", async () => {
    const form = new FormData();
    form.set("name", "forged");
    form.set("archive", new Blob([new Uint8Array(await tarGzOf({ "x.ts": moduleApp("x") }))]), "x.tar.gz");
    const res = await fetch(`${gw.url}/api/v1/apps`, { method: "POST", body: form });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("csrf_failed");
  });

  it("deletes an app: its workers stop, its URL and files go", async () => {
    const dir = gw.apps.store.layout.appDir("defaultuser", "dash");
    expect(fs.existsSync(dir)).toBe(true);
    const del = await c.api("DELETE", "/dash");
    expect(del.status).toBe(202);
    expect(del.body.app.state).toBe("deleting");
    // The stop job stops the workers and queues the cleanup job, which removes the app: then it answers 404.
    for (let i = 0; i < 600 && (await c.api("GET", "/dash")).status !== 404; i++) await new Promise((r) => setTimeout(r, 50));
    expect(fs.existsSync(dir)).toBe(false);
    expect((await c.api("GET", "/dash")).status).toBe(404);
    expect((await fetch(`${gw.url}/defaultuser/dash`)).status).toBe(404);
  });
});
