import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway } from "../../helpers/start-gateway.ts";
import { appsClient, tarGzOf } from "./app-helpers.ts";

const app = (title: string) => `import { Div, type Document } from "plothost";
export default (doc: Document, ctx: { user: { name: string } | null }) => {
  console.log("${title} opened by", ctx.user?.name);
  doc.title = "${title}";
  doc.add_root(new Div({ text: "hi" }));
};
`;

// Multi-user mode: app names are per user (/<user>/<app>), and the API only ever addresses the caller's own apps.
describe("apps belong to their user", { timeout: 120_000 }, () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  const users: Record<string, { token: string; c: ReturnType<typeof appsClient> }> = {};
  beforeAll(async () => {
    gw = await startGateway(["-m", "--bcrypt-cost", "4"]);
    for (const name of ["alice", "bob"]) {
      const res = await fetch(`${gw.url}/api/v1/register`, {
        method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: name, password: `${name}-password-1` }),
      });
      const { token } = (await res.json()) as { token: string };
      users[name] = { token, c: appsClient(gw.url, token) };
    }
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("serves two users' apps of the same name side by side, each managed only by its owner", async () => {
    for (const name of ["alice", "bob"]) {
      const { c } = users[name];
      const res = await c.deploy("sales", await tarGzOf({ "sales.ts": app(`${name} sales`) }));
      expect(res.body.app.url).toBe(`${gw.url}/${name}/sales`);
      expect((await c.waitForJob("sales", res.body.deploy.id)).state).toBe("done");
    }
    const page = async (owner: string, viewer: string) => {
      const res = await fetch(`${gw.url}/${owner}/sales`, { headers: { authorization: `Bearer ${users[viewer].token}` } });
      return /<title>([^<]*)<\/title>/.exec(await res.text())?.[1];
    };
    expect(await page("alice", "bob")).toBe("alice sales"); // any logged-in user may use an app
    expect(await page("bob", "alice")).toBe("bob sales");
    expect((await fetch(`${gw.url}/alice/sales`)).status).toBe(401); // but not anonymously

    const bobs = await users.bob.c.api("GET", "");
    expect(bobs.body.apps).toEqual([expect.objectContaining({ owner: "bob", name: "sales" })]);
    // Each owner's logs hold their own app's lines only.
    const aliceLogs = (await users.alice.c.api("GET", "/sales/logs")).body.lines.join("\n");
    expect(aliceLogs).toContain("alice sales opened by bob");
    expect(aliceLogs).not.toContain("bob sales");
    // Bob cannot reach Alice's app through the API: deleting "sales" deletes his own.
    expect((await users.bob.c.api("DELETE", "/sales")).status).toBe(202);
    expect(await page("alice", "alice")).toBe("alice sales");
  });

  it("needs the deploy scope to deploy", async () => {
    const res = await fetch(`${gw.url}/api/v1/tokens`, {
      method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${users.alice.token}` },
      body: JSON.stringify({ name: "read-only", scopes: ["read"] }),
    });
    const { token } = (await res.json()) as { token: string };
    const denied = await appsClient(gw.url, token).deploy("other", await tarGzOf({ "other.ts": app("x") }));
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe("insufficient_scope");
  });
});
