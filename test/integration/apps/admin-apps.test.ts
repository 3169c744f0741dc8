import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway } from "../../helpers/start-gateway.ts";
import { appsClient, tarGzOf } from "./app-helpers.ts";

const app = (title: string) => `import { Div, type Document } from "plothost";
export default (doc: Document) => { doc.title = ${JSON.stringify(title)}; doc.add_root(new Div({ text: "hi" })); };
`;
const local = new URL("../../fixtures/apps/whoami.ts", import.meta.url).pathname;

// Multi-user: an admin gives an owner's app a short path, and deleting a user removes their apps.
describe("admins and deployed apps: short paths, deleting a user", { timeout: 180_000 }, () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  const tokens: Record<string, string> = {};
  const as = (who: string) => ({ authorization: `Bearer ${tokens[who]}` });
  const call = async (who: string, method: string, p: string, body?: unknown) => {
    const res = await fetch(`${gw.url}${p}`, {
      method, headers: { ...as(who), ...(body === undefined ? {} : { "content-type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const titleAt = async (who: string, p: string) => {
    const res = await fetch(`${gw.url}${p}`, { headers: as(who) });
    return res.status === 200 ? /<title>([^<]*)<\/title>/.exec(await res.text())?.[1] : res.status;
  };

  beforeAll(async () => {
    gw = await startGateway(["-m", "--bcrypt-cost", "4", local]);
    for (const name of ["root", "alice", "bob"]) { // the first account is an admin
      const res = await fetch(`${gw.url}/api/v1/register`, {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: name, password: `${name}-password-1` }),
      });
      tokens[name] = ((await res.json()) as { token: string }).token;
    }
    const c = appsClient(gw.url, tokens.alice);
    const res = await c.deploy("sales", await tarGzOf({ "sales.ts": app("alice sales") }));
    expect((await c.waitForJob("sales", res.body.deploy.id)).state).toBe("done");
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("serves an owner's app at a short path an admin chose, and at its own path", async () => {
    expect(await titleAt("bob", "/sales")).toBe(404);
    const set = await call("root", "PUT", "/api/v1/admin/apps/alice/sales/short-path", { path: "sales" });
    expect(set.status).toBe(200);
    expect(set.body.app).toMatchObject({ owner: "alice", name: "sales", shortPath: "sales" });
    expect(await titleAt("bob", "/sales")).toBe("alice sales");
    expect(await titleAt("bob", "/alice/sales")).toBe("alice sales");
    expect((await call("alice", "GET", "/api/v1/apps/sales")).body).toMatchObject({ shortPath: "sales", shortUrl: `${gw.url}/sales` });
    expect((await call("root", "GET", "/api/v1/admin/apps")).body.apps).toEqual([expect.objectContaining({ owner: "alice", name: "sales", shortPath: "sales" })]);
  });

  it("refuses short paths that are taken, reserved, a user's or a local app's name, or malformed; and non-admins", async () => {
    for (const taken of ["bob", "api", "whoami"]) {
      const res = await call("root", "PUT", "/api/v1/admin/apps/alice/sales/short-path", { path: taken });
      expect([taken, res.status, res.body.error.code]).toEqual([taken, 409, "short_path_taken"]);
    }
    expect((await call("root", "PUT", "/api/v1/admin/apps/alice/sales/short-path", { path: "a/b" })).status).toBe(400);
    expect((await call("root", "PUT", "/api/v1/admin/apps/alice/nope/short-path", { path: "nope" })).body.error.code).toBe("app_not_found");
    const denied = await call("bob", "PUT", "/api/v1/admin/apps/alice/sales/short-path", { path: "mine" });
    expect([denied.status, denied.body.error.code]).toEqual([403, "admin_required"]);
    expect((await call("bob", "GET", "/api/v1/admin/apps")).status).toBe(403);
    expect(await titleAt("bob", "/sales")).toBe("alice sales"); // unchanged
  });

  it("takes a short path away", async () => {
    expect((await call("root", "DELETE", "/api/v1/admin/apps/alice/sales/short-path")).status).toBe(204);
    expect(await titleAt("bob", "/sales")).toBe(404);
    expect((await call("root", "PUT", "/api/v1/admin/apps/alice/sales/short-path", { path: "sales" })).status).toBe(200);
  });

  it("deleting a user stops their apps' workers, forgets the apps and removes their files", async () => {
    const pool = gw.apps.router.get("alice", "sales")!;
    expect(pool.state).toBe("running");
    const dir = gw.apps.store.layout.appDir("alice", "sales");
    expect(fs.existsSync(dir)).toBe(true);

    expect((await call("root", "DELETE", "/api/v1/admin/users/alice")).status).toBe(204);
    expect(pool.state).toBe("closed");
    expect(fs.existsSync(dir)).toBe(false);
    expect(await gw.auth.db.app.count()).toBe(0);
    expect(await titleAt("bob", "/alice/sales")).toBe(404);
    expect(await titleAt("bob", "/sales")).toBe(404);
    // The files were moved aside at once; a cleanup job removes them.
    const trash = gw.apps.store.layout.trashDir;
    for (let i = 0; i < 400 && fs.readdirSync(trash).length > 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(fs.readdirSync(trash)).toEqual([]);
  });
});
