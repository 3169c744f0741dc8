import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway } from "../../helpers/start-gateway.ts";
import { DATABASES, TestClient, type TestDatabase } from "./auth-helpers.ts";

const whoami = new URL("../../fixtures/apps/whoami.ts", import.meta.url).pathname;

describe.each(DATABASES)("login throttling on $kind", ({ make }) => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let database: TestDatabase;

  beforeAll(async () => {
    database = make();
    gw = await startGateway(["-m", "--bcrypt-cost", "4", "--database-url", database.url, whoami]);
  });
  afterAll(async () => {
    await gw?.close();
    await database?.drop();
  });

  it("after 5 failed logins within 15 minutes, answers 429 with Retry-After, even to the right password", async () => {
    const client = new TestClient(gw.url);
    expect((await client.post("/api/v1/register", { username: "target", password: "the right one" })).status).toBe(201);
    for (let i = 0; i < 5; i++) {
      expect((await new TestClient(gw.url).post("/api/v1/login", { username: "target", password: `guess ${i} wrong` })).status).toBe(401);
    }
    const blocked = await new TestClient(gw.url).post("/api/v1/login", { username: "target", password: "the right one" });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe("too_many_attempts");
    const retryAfter = Number(blocked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    // the same IP is now paused for other usernames too, and the login form says so inline
    const browser = new TestClient(gw.url);
    const csrf = await browser.csrf();
    const form = await browser.post("/login", new URLSearchParams({ username: "someone-else", password: "whatever it is", _csrf: csrf }));
    expect(form.status).toBe(429);
    expect(form.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(form.text).toContain("Too many failed logins");
    // a session made before keeps working: throttling is about logging in
    expect((await client.get("/api/v1/me")).status).toBe(200);
  });
});
