import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pullDocReq } from "../../../shared/protocol/index.ts";
import { startGateway } from "../../helpers/start-gateway.ts";
import { postgresDatabase, type TestDatabase } from "../auth/auth-helpers.ts";
import { appsClient, deployToken, openSession, tarGzOf, waitForLine } from "./app-helpers.ts";

const app = (title: string) => `import { Div, type Document } from "plothost";
export default (doc: Document) => { doc.title = ${JSON.stringify(title)}; doc.add_root(new Div({ text: "hi" })); };
`;
const titleOf = async (url: string) => /<title>([^<]*)<\/title>/.exec(await (await fetch(url)).text())?.[1];

// On the real PostgreSQL: the app records survive a restart; a new version drains the old one's sessions; old
// versions beyond --keep-versions are removed by the cleanup job.
describe("app versions: draining, pruning, records in PostgreSQL", { timeout: 180_000 }, () => {
  let db: TestDatabase;
  let args: string[];
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let c: ReturnType<typeof appsClient>;
  const deployed = async (title: string) => {
    const res = await c.deploy("t", await tarGzOf({ "t.ts": app(title) }));
    expect(res.status).toBe(202);
    expect((await c.waitForJob("t", res.body.deploy.id)).state).toBe("done");
    return res.body.version as number;
  };

  beforeAll(async () => {
    db = postgresDatabase();
    args = ["--database-url", db.url, "--keep-versions", "2", "--unused-session-lifetime", "300", "--check-unused-sessions", "100"];
    gw = await startGateway(args);
    c = appsClient(gw.url, await deployToken(gw.url));
  });
  afterAll(async () => {
    await gw?.close();
    await db?.drop();
  });

  it("keeps a session open on the old version until it ends, while new sessions get the new version", async () => {
    expect(await deployed("t v1")).toBe(1);
    const old = await openSession(gw.url, "/defaultuser/t");
    expect(JSON.stringify(old.doc)).toContain('"title":"t v1"');
    expect(await deployed("t v2")).toBe(2);
    expect(await titleOf(`${gw.url}/defaultuser/t`)).toBe("t v2");
    // The old session's WebSocket still answers, from version 1.
    const req = pullDocReq();
    old.client.send(req);
    const reply = await old.client.reply(req.header.msgid);
    expect(JSON.stringify(reply.content)).toContain('"title":"t v1"');
    const log = gw.apps.router.logFor("defaultuser", "t");
    expect(log.tail().join("\n")).not.toMatch(/version 1's workers stopped/);
    // Once it ends (closed, then discarded as unused), version 1's workers stop.
    await old.client.close();
    await waitForLine(log, /version 1's workers stopped: its last session ended/);
    expect(gw.apps.router.versionsInUse("defaultuser", "t")).not.toContain(1);
  });

  it("removes versions beyond --keep-versions with a cleanup job, files included", async () => {
    const v1Dir = gw.apps.store.layout.versionPaths("defaultuser", "t", 1).dir;
    expect(fs.existsSync(v1Dir)).toBe(true);
    expect(await deployed("t v3")).toBe(3);
    await waitForLine(gw.apps.router.logFor("defaultuser", "t"), /removed old version 1 \(keeping the newest 2\)/);
    const { body } = await c.api("GET", "/t");
    expect(body.versions.map((v: { version: number }) => v.version)).toEqual([2, 3]);
    expect(fs.existsSync(v1Dir)).toBe(false);
    // The cleanup job is one of the app's jobs, and readable like its deploys.
    const cleanup = await c.api("GET", `/t/deploys/${body.jobs[body.jobs.length - 1]}`);
    expect(cleanup.body).toMatchObject({ name: "cleanup", state: "done", result: { pruned: [1] } });
  });

  it("serves the same app after a restart: the records are in the database", async () => {
    await gw.closeKeepingData();
    gw = await startGateway(args, {}, gw.dataDir);
    c = appsClient(gw.url, await deployToken(gw.url));
    expect(await titleOf(`${gw.url}/defaultuser/t`)).toBe("t v3");
    const { body } = await c.api("GET", "/t");
    expect(body).toMatchObject({ currentVersion: 3, state: "running" });
    expect(body.versions.map((v: { version: number; status: string }) => [v.version, v.status])).toEqual([[2, "ready"], [3, "ready"]]);
  });
});
