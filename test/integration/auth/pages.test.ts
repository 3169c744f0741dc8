import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway } from "../../helpers/start-gateway.ts";
import { TestClient } from "./auth-helpers.ts";

const whoami = new URL("../../fixtures/apps/whoami.ts", import.meta.url).pathname;

describe("login, registration and logout pages (multi-user, SQLite)", () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gw = await startGateway(["-m", "--bcrypt-cost", "4", whoami]);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("serves a login form that works without JavaScript, with a CSRF field and the page to return to", async () => {
    const browser = new TestClient(gw.url);
    const page = await browser.get("/login?next=%2Fwhoami");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(page.text).not.toContain("<script");
    expect(page.text).toContain('<form method="post" action="/login">');
    expect(page.text).toContain(`name="_csrf" value="${browser.cookies.get("plothost_csrf")}"`);
    expect(page.text).toContain('name="next" value="/whoami"');
    expect(page.text).toContain('href="/register?next=%2Fwhoami"');
  });

  it("registers through the form, lands on the app as that user, and logs out", async () => {
    const browser = new TestClient(gw.url);
    const csrf = await browser.csrf();
    const reg = await browser.post("/register", new URLSearchParams({ username: "pat", password: "pat's password", _csrf: csrf, next: "/whoami" }));
    expect(reg.status).toBe(303);
    expect(reg.headers.get("location")).toBe("/whoami");
    const app = await browser.get("/whoami", { accept: "text/html" });
    expect(app.status).toBe(200);
    expect(app.text).toContain("<title>user:{&quot;name&quot;:&quot;pat&quot;");
    const logoutPage = await browser.get("/logout");
    expect(logoutPage.text).toContain("logged in as <strong>pat</strong>");
    const out = await browser.post("/logout", new URLSearchParams({ _csrf: browser.cookies.get("plothost_csrf")! }));
    expect(out.status).toBe(303);
    expect(out.headers.get("location")).toBe("/login");
    expect((await browser.get("/whoami", { accept: "text/html" })).status).toBe(302);
  });

  it("shows errors inline, keeping what was typed (but never the password)", async () => {
    const browser = new TestClient(gw.url);
    const csrf = await browser.csrf();
    const bad = await browser.post("/login", new URLSearchParams({ username: "pat", password: "not pat's password", _csrf: csrf }));
    expect(bad.status).toBe(401);
    expect(bad.text).toMatch(/class="error" role="alert">Wrong username or password/);
    expect(bad.text).toContain('value="pat"');
    expect(bad.text).not.toContain("not pat&#39;s password");
    const weak = await browser.post("/register", new URLSearchParams({ username: "quinn", password: "short", _csrf: csrf }));
    expect(weak.status).toBe(400);
    expect(weak.text).toContain("at least 8 characters");
    const taken = await browser.post("/register", new URLSearchParams({ username: "PAT", password: "another password", _csrf: csrf }));
    expect(taken.status).toBe(409);
    expect(taken.text).toContain("That username is taken");
  });

  it("logs in through the form and goes back where the user was headed, never to another site", async () => {
    const browser = new TestClient(gw.url);
    const csrf = await browser.csrf();
    const ok = await browser.post("/login", new URLSearchParams({ username: "pat", password: "pat's password", _csrf: csrf, next: "/whoami?a=1" }));
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/whoami?a=1");
    const other = new TestClient(gw.url);
    const evil = await other.post("/login", new URLSearchParams({ username: "pat", password: "pat's password", _csrf: await other.csrf(), next: "//evil.example/x" }));
    expect(evil.headers.get("location")).toBe("/");
    expect((await browser.get("/login")).status).toBe(303); // already logged in
  });

  it("refuses form posts without the CSRF token (403), so other sites cannot log people in or out", async () => {
    const browser = new TestClient(gw.url);
    await browser.csrf();
    const noToken = await browser.post("/login", new URLSearchParams({ username: "pat", password: "pat's password" }));
    expect(noToken.status).toBe(403);
    expect(noToken.body.error.code).toBe("csrf_failed");
    const wrongToken = await browser.post("/register", new URLSearchParams({ username: "rex", password: "a good password", _csrf: "x".repeat(43) }));
    expect(wrongToken.status).toBe(403);
    const cookieless = new TestClient(gw.url);
    expect((await cookieless.post("/logout", new URLSearchParams({ _csrf: "" }))).status).toBe(403);
  });
});

describe("pages with registration closed", () => {
  it("hides the register link and refuses the register form", async () => {
    const gw = await startGateway(["-m", "--no-allow-registration", "--bcrypt-cost", "4", whoami]);
    try {
      const browser = new TestClient(gw.url);
      expect((await browser.get("/login")).text).not.toContain("/register");
      const page = await browser.get("/register");
      expect(page.status).toBe(403);
      expect(page.text).toContain("Self-registration is off");
      const post = await browser.post("/register", new URLSearchParams({ username: "sam", password: "a good password", _csrf: await browser.csrf() }));
      expect(post.status).toBe(403);
    } finally {
      await gw.close();
    }
  });
});
