import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway } from "../../helpers/start-gateway.ts";
import { TestClient } from "../auth/auth-helpers.ts";
import { appsClient, tarGzOf } from "../apps/app-helpers.ts";

const whoami = new URL("../../fixtures/apps/whoami.ts", import.meta.url).pathname;
const fixtureDoc = JSON.parse(fs.readFileSync(new URL("../../fixtures/bokeh-3.6-docs/vbar_categorical.json", import.meta.url), "utf8"));
const app = (title: string) => `import { Div, type Document } from "plothost";
export default (doc: Document) => { doc.title = ${JSON.stringify(title)}; doc.add_root(new Div({ text: ${JSON.stringify(title)} })); };
`;

interface Row {
  kind: string; name: string; owner: string | null; version: string | null; state: string; sessions: number; restarts: number;
  versions: Array<{ version: number; status: string }>; logTail: string[];
  workers: Array<{ pid: number | null; state: string; memoryBytes: number | null; cpuPercent: number | null; sessions: number }>;
}

// The console's Apps page and API over both kinds of apps: command-line apps and every user's deployed apps.
describe("the admin console and deployed apps", { timeout: 120_000 }, () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let root: TestClient;
  let alice: TestClient;
  let aliceToken: string;

  const register = async (username: string) => {
    const res = await new TestClient(gw.url).post("/api/v1/register", { username, password: `${username} password 1` });
    expect(res.status).toBe(201);
    return res.body.token as string;
  };
  const rows = async () => (await root.get("/api/v1/admin/workers")).body.apps as Row[];
  const sales = async () => (await rows()).find((a) => a.name === "alice/sales")!;
  const title = async (p: string) => /<title>([^<]*)<\/title>/.exec(await (await fetch(`${gw.url}${p}`, { headers: { authorization: `Bearer ${aliceToken}` } })).text())?.[1];

  beforeAll(async () => {
    gw = await startGateway(["-m", "--bcrypt-cost", "4", "--drain-timeout", "0", whoami]);
    root = new TestClient(gw.url).withBearer(await register("root")); // the first account is an admin
    aliceToken = await register("alice");
    alice = new TestClient(gw.url).withBearer(aliceToken);
    const c = appsClient(gw.url, (await alice.post("/api/v1/tokens", { name: "deploy", scopes: ["read", "deploy"] })).body.token);
    for (const v of ["sales v1", "sales v2"]) {
      const res = await c.deploy("sales", await tarGzOf({ "sales.ts": app(v) }));
      expect((await c.waitForJob("sales", res.body.deploy.id)).state).toBe("done");
    }
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("lists command-line and deployed apps with owner, version, versions, workers, memory and the last log lines", async () => {
    const all = await rows();
    expect(all.map((a) => [a.kind, a.name, a.owner])).toEqual([["local", "whoami", null], ["deployed", "alice/sales", "alice"]]);
    const row = await sales();
    expect(row).toMatchObject({ version: "2", state: "running", versions: [{ version: 1, status: "ready" }, { version: 2, status: "ready" }] });
    expect(row.workers).toHaveLength(1);
    expect(row.workers[0].pid).toEqual(expect.any(Number));
    await expect.poll(async () => (await sales()).workers[0].memoryBytes, { timeout: 5000 }).toBeGreaterThan(10 * 1024 * 1024);
    await expect.poll(async () => (await sales()).workers[0].cpuPercent, { timeout: 5000 }).not.toBeNull();
    expect(row.logTail.some((l) => l.includes("version 2 deployed"))).toBe(true);
    expect((await root.get("/api/v1/admin/workers/alice/sales/logs")).body.lines).toEqual(expect.arrayContaining([expect.stringContaining("version 2 deployed")]));
    // The overview counts them, the Users table counts them per owner.
    expect((await root.get("/api/v1/admin/overview")).body.apps).toBe(2);
    const users = (await root.get("/api/v1/admin/user-summaries")).body.users as Array<{ username: string; apps: number }>;
    expect(users.map((u) => [u.username, u.apps])).toEqual([["root", 0], ["alice", 1]]);

    const page = await root.get("/admin/apps", { accept: "text/html" });
    expect(page.text).toContain('data-app-row="alice/sales"');
    expect(page.text).toContain('<label for="rollback-alice-sales">Roll back alice/sales to</label>');
    expect(page.text).toContain('aria-label="Stop whoami"');
  });

  it("stops, starts and restarts a deployed app's workers", async () => {
    const before = (await sales()).workers[0].pid;
    const stopped = await root.post("/api/v1/admin/workers/alice/sales/stop");
    expect([stopped.status, stopped.body.state]).toEqual([202, "idle"]);
    expect(gw.apps.router.get("alice", "sales")!.state).toBe("idle");

    const started = await root.post("/api/v1/admin/workers/alice/sales/start");
    expect(started.status).toBe(202);
    await expect.poll(async () => {
      const r = await sales();
      return r.state === "running" && r.workers[0].pid !== before;
    }, { timeout: 20_000 }).toBe(true);

    const running = (await sales()).workers[0].pid;
    const restarted = await root.post("/api/v1/admin/workers/alice/sales/restart");
    expect([restarted.status, restarted.body.state]).toEqual([202, "restarting"]);
    await expect.poll(async () => {
      const r = await sales();
      return r.state === "running" && r.workers[0].pid !== running;
    }, { timeout: 20_000 }).toBe(true);
    expect((await sales()).restarts).toBe(1);
    expect(await title("/alice/sales")).toBe("sales v2");
  });

  it("stops and starts a command-line app", async () => {
    const stopped = await root.post("/api/v1/admin/workers/whoami/stop");
    expect([stopped.status, stopped.body.state]).toEqual([202, "idle"]);
    expect(gw.supervisors.get("whoami")!.state).toBe("stopped");
    expect((await root.post("/api/v1/admin/workers/whoami/start")).status).toBe(202);
    await expect.poll(async () => (await rows())[0].state, { timeout: 20_000 }).toBe("running");
  });

  it("rolls a deployed app back to a chosen version", async () => {
    const res = await root.post("/api/v1/admin/workers/alice/sales/rollback", { version: 1 });
    expect(res.status).toBe(202);
    expect(res.body.deploy).toMatchObject({ name: "deploy", data: { owner: "alice", name: "sales", version: 1, rollback: true } });
    // The deploy job (unpack, compile, smoke start) is under way: the app shows as deploying until it is done.
    expect(res.body.app).toMatchObject({ name: "alice/sales", state: "deploying", version: "2" });
    await expect.poll(async () => {
      const r = await sales();
      return `${r.version} ${r.state}`;
    }, { timeout: 30_000 }).toBe("1 running");
    expect(await title("/alice/sales")).toBe("sales v1");
    // The owner sees the same deploy among their app's jobs.
    expect((await alice.get("/api/v1/apps/sales")).body.jobs).toContain(res.body.deploy.id);

    expect((await root.post("/api/v1/admin/workers/alice/sales/rollback", { version: 9 })).body.error.code).toBe("version_not_found");
    expect((await root.post("/api/v1/admin/workers/alice/sales/rollback", {})).body.error.code).toBe("version_not_found");
    expect((await root.post("/api/v1/admin/workers/whoami/rollback", { version: 1 })).status).toBe(404);
    expect((await root.post("/api/v1/admin/workers/alice/nope/restart")).body.error.code).toBe("app_not_found");
  });

  it("every app action is audited, needs the CSRF token on a cookie, and is refused to non-admins", async () => {
    const audit = (await root.get("/api/v1/admin/audit?action=app.")).body.events.map((e: { action: string; target: string }) => `${e.action} ${e.target}`);
    expect(audit).toEqual([
      "app.rollback alice/sales@1", "app.start whoami", "app.stop whoami", "app.restart alice/sales", "app.start alice/sales", "app.stop alice/sales",
    ]);
    const browser = new TestClient(gw.url);
    expect((await browser.post("/api/v1/login", { username: "root", password: "root password 1" })).status).toBe(200);
    expect((await browser.post("/api/v1/admin/workers/alice/sales/restart")).body.error.code).toBe("csrf_failed");
    expect((await browser.post("/api/v1/admin/workers/alice/sales/rollback", { version: 2 })).body.error.code).toBe("csrf_failed");
    for (const p of ["/api/v1/admin/workers/alice/sales/stop", "/api/v1/admin/workers/alice/sales/rollback", "/api/v1/admin/workers/whoami/start"]) {
      expect((await alice.post(p, { version: 2 })).body.error.code).toBe("admin_required");
    }
    expect((await alice.get("/api/v1/admin/workers/alice/sales/logs")).body.error.code).toBe("admin_required");
    expect((await sales()).version).toBe("1");
  });

  it("deleting a document from the console removes its share links too", async () => {
    const published = await alice.post("/api/v1/docs?name=linked&visibility=private", fixtureDoc);
    expect(published.status).toBe(201);
    const id = published.body.id as string;
    const link = await alice.post(`/api/v1/docs/${id}/links`, { mode: "view" });
    expect(link.status).toBe(201);
    expect((await fetch(link.body.url)).status).toBe(200);
    expect(await gw.auth.db.shareLink.count({ where: { docId: id } })).toBe(1);
    expect((await root.request("DELETE", `/api/v1/admin/docs/${id}`)).status).toBe(204);
    expect(await gw.auth.db.shareLink.count({ where: { docId: id } })).toBe(0);
    expect((await fetch(link.body.url)).status).toBe(404);
  });
});

describe("the admin console's sandbox warning", { timeout: 60_000 }, () => {
  const pages = ["/admin", "/admin/users", "/admin/apps", "/admin/sessions", "/admin/docs", "/admin/audit"];

  it("tops every page when tenants are not isolated (--sandbox plain)", async () => {
    const gw = await startGateway(["--sandbox", "plain"]);
    try {
      expect((await (await fetch(`${gw.url}/api/v1/admin/sandbox`)).json()).kind).toBe("plain");
      for (const p of pages) {
        const html = await (await fetch(`${gw.url}${p}`, { headers: { accept: "text/html" } })).text();
        expect(html, p).toContain('<section class="sandbox-warning"');
        expect(html, p).toContain("Tenants are NOT isolated");
        expect(html, p).toContain("sandbox &#39;plain&#39; was chosen");
      }
    } finally {
      await gw.close();
    }
  });

  it("shows only when the sandbox is plain or misses a layer", async () => {
    const gw = await startGateway([]);
    try {
      const status = await (await fetch(`${gw.url}/api/v1/admin/sandbox`)).json() as { kind: string; warnings: string[] };
      const html = await (await fetch(`${gw.url}/admin/users`, { headers: { accept: "text/html" } })).text();
      expect(html.includes('class="sandbox-warning"')).toBe(status.kind === "plain" || status.warnings.length > 0);
      for (const w of status.warnings) expect(html).toContain(w.replace(/'/g, "&#39;").replace(/"/g, "&quot;"));
    } finally {
      await gw.close();
    }
  });
});
