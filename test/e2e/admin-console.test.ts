import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { bokehRendered, launchBrowser, recordErrors } from "../helpers/browser.ts";
import { projectRoot, startGateway } from "../helpers/start-gateway.ts";
import { appsClient, tarGzOf } from "../integration/apps/app-helpers.ts";

/** Screenshots go to a temporary directory (never committed); its path is printed once. */
const shots = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-admin-shots-"));
const fixtureDoc = JSON.parse(fs.readFileSync(new URL("../fixtures/bokeh-3.6-docs/line_scatter_hover.json", import.meta.url), "utf8"));

type BokehWindow = { Bokeh?: { documents: Array<{ get_model_by_name(n: string): { data: Record<string, ArrayLike<number>> } | null }> } };

/** Non-white pixels over every canvas BokehJS drew (canvases live in shadow roots). */
const inkedPixels = (page: Page) => page.evaluate(() => {
  const canvases: HTMLCanvasElement[] = [];
  const walk = (root: Document | ShadowRoot) => {
    for (const el of root.querySelectorAll("*")) {
      if (el instanceof HTMLCanvasElement) canvases.push(el);
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  let inked = 0;
  for (const c of canvases) {
    const ctx = c.getContext("2d");
    if (!ctx || c.width === 0 || c.height === 0) continue;
    const data = ctx.getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240)) inked++;
  }
  return inked;
});

/** Form controls and buttons on the page without an accessible name (label, aria-label or text). */
const unlabelled = (page: Page) => page.evaluate(() => [...document.querySelectorAll<HTMLElement>("input:not([type=hidden]), select, textarea, button, summary")]
  .filter((el) => {
    if (el.closest("dialog:not([open])")) return false;
    const labels = (el as HTMLInputElement).labels;
    return !(labels && labels.length > 0) && !el.getAttribute("aria-label") && !(el.textContent ?? "").trim();
  }).map((el) => el.outerHTML.slice(0, 80)));

describe("the admin console in real Chromium", { timeout: 90_000 }, () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let browser: Browser;
  let admin: BrowserContext;
  let adminPage: Page;
  let noraToken: string;
  let doc: { id: string; publicUrl: string };

  const post = async (p: string, body: unknown, token?: string) => {
    const res = await fetch(`${gw.url}${p}`, {
      method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() as any };
  };
  const logIn = async (ctx: BrowserContext, username: string, password: string, next = "/"): Promise<Page> => {
    const page = await ctx.newPage();
    await page.goto(`${gw.url}/login?next=${encodeURIComponent(next)}`);
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL((u) => u.pathname === next);
    return page;
  };

  beforeAll(async () => {
    [gw, browser] = await Promise.all([startGateway(["-m", "--bcrypt-cost", "4", "--disable-index-redirect", path.join(projectRoot, "apps", "demo.ts")]), launchBrowser()]);
    // Seed: the first account becomes the admin; nora is a user with a public document.
    expect((await post("/api/v1/register", { username: "root", password: "root password 1" })).status).toBe(201);
    const nora = await post("/api/v1/register", { username: "nora", password: "nora password 1" });
    noraToken = nora.body.token;
    const published = await fetch(`${gw.url}/api/v1/docs?name=sales&visibility=public`, {
      method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${noraToken}` }, body: JSON.stringify(fixtureDoc),
    });
    doc = await published.json() as { id: string; publicUrl: string };
    admin = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    adminPage = await logIn(admin, "root", "root password 1", "/admin");
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    console.log(`admin console screenshots: ${shots}`);
  });

  it("a non-admin gets 403 on every admin page and API call; anonymous browsers get the login page", async () => {
    const ctx = await browser.newContext();
    const page = await logIn(ctx, "nora", "nora password 1");
    for (const p of ["/admin", "/admin/users", "/admin/apps", "/admin/sessions", "/admin/docs", "/admin/audit", "/admin/assets/console.js",
      "/admin/overview/autoload.js?bokeh-autoload-element=x"]) {
      const res = await page.goto(`${gw.url}${p}`);
      expect(res?.status(), p).toBe(403);
      if (!p.includes("assets") && !p.includes("autoload")) await expect.poll(() => page.getByRole("heading", { name: "Admins only" }).count()).toBe(1);
    }
    const calls: Array<[string, string]> = [
      ["GET", "/api/v1/admin/overview"], ["GET", "/api/v1/admin/user-summaries"], ["DELETE", "/api/v1/admin/users/root/tokens"],
      ["GET", "/api/v1/admin/docs"], ["PATCH", `/api/v1/admin/docs/${doc.id}`], ["DELETE", `/api/v1/admin/docs/${doc.id}`],
      ["GET", "/api/v1/admin/workers"], ["POST", "/api/v1/admin/workers/demo/restart"], ["GET", "/api/v1/admin/sessions"],
      ["DELETE", "/api/v1/admin/sessions/x"], ["GET", "/api/v1/admin/audit"], ["GET", "/api/v1/admin/users"],
      ["POST", "/api/v1/admin/workers/demo/stop"], ["POST", "/api/v1/admin/workers/nora/sales/rollback"], ["GET", "/api/v1/admin/apps"],
    ];
    for (const [method, p] of calls) {
      const res = await fetch(`${gw.url}${p}`, { method, headers: { authorization: `Bearer ${noraToken}`, "content-type": "application/json" }, body: method === "GET" ? undefined : "{}" });
      expect([method, p, res.status, ((await res.json()) as any).error.code]).toEqual([method, p, 403, "admin_required"]);
    }
    const anon = await browser.newContext();
    const anonPage = await anon.newPage();
    await anonPage.goto(`${gw.url}/admin/users`);
    expect(new URL(anonPage.url()).pathname).toBe("/login");
    expect((await fetch(`${gw.url}/api/v1/admin/overview`)).status).toBe(401);
    await Promise.all([ctx.close(), anon.close()]);
  });

  it("creates a user who can then log in elsewhere; disabling them makes their next request fail", async () => {
    const page = adminPage;
    await page.getByRole("navigation", { name: "Admin sections" }).getByRole("link", { name: "Users" }).click();
    await page.waitForURL((u) => u.pathname === "/admin/users");
    await page.locator("summary", { hasText: "Create user" }).click();
    await page.getByLabel("Username").fill("carol");
    await page.getByLabel("Password", { exact: true }).fill("carol password 1");
    await page.getByRole("button", { name: "Create user" }).click();
    await expect.poll(() => page.locator('tr[data-user-row="carol"]').count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => page.getByRole("status").textContent()).toContain("Created user carol");
    await page.screenshot({ path: path.join(shots, "users-1280.png"), fullPage: true });

    const carolCtx = await browser.newContext();
    const carol = await logIn(carolCtx, "carol", "carol password 1");
    expect(new URL(carol.url()).pathname).toBe("/");

    await page.getByRole("button", { name: "Disable carol" }).click();
    const dialog = page.getByRole("dialog", { name: "Disable carol?" });
    await dialog.getByRole("button", { name: "Disable" }).click();
    await expect.poll(() => page.locator('tr[data-user-row="carol"] .badge-disabled').count(), { timeout: 10_000 }).toBe(1);

    await carol.goto(`${gw.url}/`);
    expect(new URL(carol.url()).pathname).toBe("/login");
    await carolCtx.close();
  });

  it("a generated one-time password is shown once and works", async () => {
    const page = adminPage;
    await page.goto(`${gw.url}/admin/users`);
    await page.locator("summary", { hasText: "Create user" }).click();
    await page.getByLabel("Username").fill("dave");
    await page.getByRole("button", { name: "Create user" }).click();
    const dialog = page.getByRole("dialog", { name: "Created user dave" });
    const password = await dialog.getByLabel("Password").inputValue();
    expect(password).toMatch(/^[A-Za-z0-9]{18}$/);
    await dialog.getByRole("button", { name: "Done" }).click();
    await expect.poll(() => page.locator('tr[data-user-row="dave"]').count(), { timeout: 10_000 }).toBe(1);
    const ctx = await browser.newContext();
    await logIn(ctx, "dave", password);
    await ctx.close();
  });

  it("resets a password, changes a role, ends a session, and deletes a user with their documents", async () => {
    const page = adminPage;
    const frank = await post("/api/v1/register", { username: "frank", password: "frank password 1" });
    const published = await fetch(`${gw.url}/api/v1/docs?name=frankplot&visibility=public`, {
      method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${frank.body.token}` }, body: JSON.stringify(fixtureDoc),
    });
    const frankDoc = await published.json() as { id: string; publicUrl: string };
    await page.goto(`${gw.url}/admin/users?q=frank`);

    await page.getByRole("button", { name: "Reset password frank" }).click();
    let dialog = page.getByRole("dialog", { name: "Reset the password of frank" });
    await dialog.getByLabel("Set this password:").check();
    await dialog.getByLabel("Password to set").fill("frank password 2");
    await dialog.getByRole("button", { name: "Reset password" }).click();
    await expect.poll(() => page.getByRole("status").textContent(), { timeout: 10_000 }).toContain("Set a new password for frank");
    expect((await post("/api/v1/login", { username: "frank", password: "frank password 1" })).status).toBe(401);
    expect((await post("/api/v1/login", { username: "frank", password: "frank password 2" })).status).toBe(200);

    await page.getByRole("button", { name: "Make admin frank" }).click();
    await page.getByRole("dialog", { name: "Make frank an admin?" }).getByRole("button", { name: "Make admin" }).click();
    await expect.poll(() => page.locator('tr[data-user-row="frank"] .badge-admin').count(), { timeout: 10_000 }).toBe(1);

    // A viewer of frank's public document shows on the Sessions page; ending it closes the viewer's connection.
    const anon = await browser.newContext();
    const viewer = await anon.newPage();
    await viewer.goto(frankDoc.publicUrl);
    await bokehRendered(viewer);
    await page.goto(`${gw.url}/admin/sessions`);
    const end = page.getByRole("button", { name: `End session: document ${frankDoc.id}` });
    // BokehJS reconnects a dropped session with the same id: that attempt is refused, so the session stays ended.
    // The retry ends either way Playwright reports it: closed, or failed at the handshake (refused with 4xx).
    const retryEnded = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the viewer's reconnection neither closed nor failed within 20 s")), 20_000);
      viewer.once("websocket", (ws) => {
        const done = () => (clearTimeout(timer), resolve());
        if (ws.isClosed()) done();
        ws.once("close", done);
        ws.once("socketerror", done);
      });
    });
    await end.click();
    await page.getByRole("dialog", { name: "End this session?" }).getByRole("button", { name: "End session" }).click();
    await expect.poll(() => page.getByRole("status").textContent(), { timeout: 10_000 }).toContain("Session ended");
    await retryEnded;
    await page.reload();
    expect(await end.count()).toBe(0);
    await anon.close();

    await page.goto(`${gw.url}/admin/users?q=frank`);
    await page.getByRole("button", { name: "Delete frank" }).click();
    dialog = page.getByRole("dialog", { name: "Delete frank?" });
    expect(await dialog.textContent()).toContain("frankplot");
    await dialog.getByLabel("Type frank to confirm").fill("fran");
    await dialog.getByRole("button", { name: "Delete frank" }).click();
    await expect.poll(() => dialog.getByRole("alert").textContent()).toContain("Type frank exactly");
    await dialog.getByLabel("Type frank to confirm").fill("frank");
    await dialog.getByRole("button", { name: "Delete frank" }).click();
    await expect.poll(() => page.getByRole("status").textContent(), { timeout: 10_000 }).toContain("Deleted frank and 1 document(s)");
    expect(await page.locator('tr[data-user-row="frank"]').count()).toBe(0);
    expect((await fetch(frankDoc.publicUrl)).status).toBe(404);
  });

  it("making a public document private stops its public link", async () => {
    const anon = await browser.newContext();
    const viewer = await anon.newPage();
    expect((await viewer.goto(doc.publicUrl))?.status()).toBe(200);

    const page = adminPage;
    await page.goto(`${gw.url}/admin/docs`);
    const row = page.locator(`tr[data-doc-row="${doc.id}"]`);
    expect(await row.locator("td").nth(1).textContent()).toBe("nora");
    await row.getByLabel("Visibility of sales").selectOption("private");
    await row.getByRole("button", { name: "Apply" }).click();
    await page.getByRole("dialog", { name: "Make sales private?" }).getByRole("button", { name: "Make private" }).click();
    await expect.poll(() => page.locator(`tr[data-doc-row="${doc.id}"] .badge`).first().textContent(), { timeout: 10_000 }).toBe("private");

    expect((await viewer.goto(doc.publicUrl))?.status()).toBe(404);
    await anon.close();
  });

  it("restarting an app shows its state change, then a new worker", async () => {
    const page = adminPage;
    await page.goto(`${gw.url}/admin/apps`);
    const state = page.locator('[data-live="app-demo-state"]');
    const pid = page.locator('[data-live="app-demo-pid0"]');
    await expect.poll(() => state.textContent(), { timeout: 20_000 }).toBe("running");
    const before = await pid.textContent();
    const seen = new Set<string>();
    await page.getByRole("button", { name: "Restart demo" }).click();
    await expect.poll(async () => {
      seen.add((await state.textContent()) ?? "");
      return seen.has("restarting") && (await state.textContent()) === "running" && (await pid.textContent()) !== before;
    }, { timeout: 20_000, interval: 100 }).toBe(true);
    expect(await page.locator('[data-live="app-demo-restarts"]').textContent()).toBe("1");
  });

  it("lists deployed apps with the command-line ones, rolls one back to a chosen version, and deletes them with their owner", async () => {
    // gina deploys two versions of an app (the deploy API, as `plothost deploy` does).
    const gina = await post("/api/v1/register", { username: "gina", password: "gina password 1" });
    const c = appsClient(gw.url, (await post("/api/v1/tokens", { name: "deploy", scopes: ["read", "deploy"] }, gina.body.token)).body.token);
    for (const v of ["chart v1", "chart v2"]) {
      const res = await c.deploy("chart", await tarGzOf({ "chart.ts": `import { Div, type Document } from "plothost";
export default (doc: Document) => { doc.title = ${JSON.stringify(v)}; doc.add_root(new Div({ text: "hi" })); };
` }));
      expect((await c.waitForJob("chart", res.body.deploy.id)).state).toBe("done");
    }
    const page = adminPage;
    await page.goto(`${gw.url}/admin/apps`);
    const row = page.locator('tr[data-app-row="gina/chart"]');
    expect(await row.locator("td").first().textContent()).toBe("gina");
    expect(await page.locator('[data-live="app-gina/chart-version"]').textContent()).toBe("v2");
    await expect.poll(() => page.locator('[data-live="app-gina/chart-state"]').textContent(), { timeout: 20_000 }).toBe("running");
    await page.locator('[data-app-row="demo"]').getByRole("button", { name: "Restart demo" }).waitFor();

    await page.getByLabel("Roll back gina/chart to").selectOption("1");
    await row.getByRole("button", { name: "Roll back" }).click();
    await page.getByRole("dialog", { name: "Roll gina/chart back to version 1?" }).getByRole("button", { name: "Roll back" }).click();
    await expect.poll(() => page.getByRole("status").textContent(), { timeout: 10_000 }).toContain("Rolling gina/chart back to version 1");
    // The page keeps itself current: the version changes once the deploy job has switched the traffic.
    await expect.poll(async () => `${await page.locator('[data-live="app-gina/chart-version"]').textContent()} ${
      await page.locator('[data-live="app-gina/chart-state"]').textContent()}`, { timeout: 30_000 }).toBe("v1 running");
    await page.getByText("Last log lines of gina/chart").click();
    expect(await page.locator('[data-live="app-gina/chart-log"]').textContent()).toContain("an admin rolled the app back to version 1");
    await page.screenshot({ path: path.join(shots, "apps-1280.png"), fullPage: true });

    await page.goto(`${gw.url}/admin/users?q=gina`);
    expect(await page.locator('tr[data-user-row="gina"] td[data-label="Apps"]').textContent()).toBe("1");
    await page.getByRole("button", { name: "Delete gina" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete gina?" });
    await expect.poll(() => dialog.textContent()).toContain("app chart (/gina/chart) with its 2 version(s) and files");
    await dialog.getByLabel("Type gina to confirm").fill("gina");
    await dialog.getByRole("button", { name: "Delete gina" }).click();
    await expect.poll(() => page.getByRole("status").textContent(), { timeout: 10_000 }).toContain("Deleted gina and 1 app(s)");
    await page.goto(`${gw.url}/admin/apps`);
    expect(await page.locator('tr[data-app-row="gina/chart"]').count()).toBe(0);
  });

  it("the overview chart renders with BokehJS and its session count moves when a session opens", async () => {
    const page = adminPage;
    const errors = recordErrors(page);
    await page.goto(`${gw.url}/admin`);
    await bokehRendered(page);
    await expect.poll(() => inkedPixels(page), { timeout: 15_000 }).toBeGreaterThan(2000);
    const sessions = () => page.evaluate(() => {
      const d = (window as unknown as BokehWindow).Bokeh!.documents[0].get_model_by_name("overview_metrics")!.data.sessions;
      return d.length > 0 ? d[d.length - 1] : -1;
    });
    await expect.poll(sessions, { timeout: 10_000 }).toBeGreaterThanOrEqual(0);
    const before = await sessions();

    const ctx = await browser.newContext();
    const app = await logIn(ctx, "nora", "nora password 1", "/demo");
    await bokehRendered(app);
    await expect.poll(sessions, { timeout: 15_000 }).toBe(before + 1);
    await page.screenshot({ path: path.join(shots, "overview-1280.png"), fullPage: true });
    await ctx.close();
    await expect.poll(sessions, { timeout: 15_000 }).toBe(before);
    expect(errors).toEqual([]);
  });

  it("works on a narrow screen and from the keyboard, with every control labelled", async () => {
    for (const p of ["/admin", "/admin/users", "/admin/apps", "/admin/sessions", "/admin/docs", "/admin/audit"]) {
      await adminPage.goto(`${gw.url}${p}`);
      expect(await unlabelled(adminPage), p).toEqual([]);
    }
    const narrow = await admin.newPage();
    await narrow.setViewportSize({ width: 375, height: 740 });
    await narrow.goto(`${gw.url}/admin/users`);
    expect(await narrow.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    // Rows become cards: each value carries its column's name.
    expect(await narrow.locator('tr[data-user-row="root"] th').evaluate((th) => getComputedStyle(th, "::before").content)).toBe('"Username"');
    await expect.poll(() => narrow.getByRole("link", { name: "Audit log" }).isVisible()).toBe(true);
    await narrow.screenshot({ path: path.join(shots, "users-375.png"), fullPage: true });

    // Keyboard only: skip to the content, open "Create user", fill it in and submit.
    await narrow.keyboard.press("Tab");
    expect(await narrow.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await narrow.keyboard.press("Enter");
    expect(await narrow.evaluate(() => document.activeElement?.id)).toBe("main");
    await narrow.locator("summary", { hasText: "Create user" }).focus();
    await narrow.keyboard.press("Enter");
    await narrow.keyboard.press("Tab");
    await narrow.keyboard.type("erin");
    await narrow.keyboard.press("Tab");
    await narrow.keyboard.type("erin password 1");
    await narrow.keyboard.press("Tab");
    await narrow.keyboard.press("Tab");
    await narrow.keyboard.press("Enter");
    await expect.poll(() => narrow.locator('tr[data-user-row="erin"]').count(), { timeout: 10_000 }).toBe(1);

    // The audit log shows who did it, filterable by action.
    await narrow.goto(`${gw.url}/admin/audit?action=user.create`);
    const targets = await narrow.locator("tbody tr td:nth-child(4)").allTextContents();
    expect(targets).toEqual(expect.arrayContaining(["carol", "dave", "erin"]));
    expect(await narrow.locator("tbody tr td:nth-child(2)").allTextContents()).toEqual(targets.map(() => "root"));
    await narrow.close();
  });
});
