import http from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CsrfProtection } from "../../../gateway/src/auth/csrf.ts";
import { parseBodies } from "../../../gateway/src/auth/http-helpers.ts";
import { readCookies, setCookie } from "../../../gateway/src/auth/cookies.ts";

describe("CSRF double-submit protection", () => {
  let server: http.Server;
  let base: string;
  const token = "T".repeat(43);

  beforeAll(async () => {
    const csrf = new CsrfProtection(true);
    const app = express();
    app.get("/form", (req, res) => void res.send(csrf.tokenFor(req, res)));
    app.post("/change", parseBodies, csrf.check, (_req: express.Request, res: express.Response) => void res.send("changed"));
    app.use((err: { code?: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(403).send(err.code));
    server = app.listen(0);
    await new Promise((r) => server.once("listening", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const post = (headers: Record<string, string>, body?: string) => fetch(`${base}/change`, { method: "POST", headers, body }).then(async (r) => [r.status, await r.text()]);

  it("hands out a token cookie once, readable by scripts, Secure when configured", async () => {
    const res = await fetch(`${base}/form`);
    const cookie = res.headers.getSetCookie()[0];
    expect(cookie).toMatch(/^plothost_csrf=[A-Za-z0-9_-]{43}; Path=\/; SameSite=Lax; Secure$/);
    const again = await fetch(`${base}/form`, { headers: { cookie: cookie.split(";")[0] } });
    expect(again.headers.getSetCookie()).toEqual([]);
    expect(await again.text()).toBe(cookie.split(";")[0].split("=")[1]);
  });

  it("lets a form through only with the cookie's token echoed in _csrf or X-CSRF-Token", async () => {
    const form = { "content-type": "application/x-www-form-urlencoded", cookie: `plothost_csrf=${token}` };
    expect(await post(form, "a=1")).toEqual([403, "csrf_failed"]);
    expect(await post(form, `a=1&_csrf=${"U".repeat(43)}`)).toEqual([403, "csrf_failed"]);
    expect(await post(form, `a=1&_csrf=${token}`)).toEqual([200, "changed"]);
    expect(await post({ ...form, "x-csrf-token": token }, "a=1")).toEqual([200, "changed"]);
    expect(await post({ "content-type": "application/x-www-form-urlencoded" }, "_csrf=")).toEqual([403, "csrf_failed"]); // no cookie, empty echo
    expect(await post({ "content-type": "text/plain" }, "{}")).toEqual([403, "csrf_failed"]);
  });

  it("requires the token for anything riding on the session cookie, JSON included", async () => {
    const json = { "content-type": "application/json", cookie: `plothost_session=pht_x; plothost_csrf=${token}` };
    expect(await post(json, "{}")).toEqual([403, "csrf_failed"]);
    expect(await post({ ...json, "x-csrf-token": token }, "{}")).toEqual([200, "changed"]);
  });

  it("exempts requests no other site can forge: Bearer tokens, and JSON without a session cookie", async () => {
    expect(await post({ authorization: "Bearer pht_x", "content-type": "application/x-www-form-urlencoded" }, "a=1")).toEqual([200, "changed"]);
    expect(await post({ "content-type": "application/json" }, "{}")).toEqual([200, "changed"]);
  });
});

describe("cookies", () => {
  it("parses the Cookie header, first value winning, skipping junk", () => {
    const req = { headers: { cookie: "a=1; b=%20x; a=2; junk; c=%E0%A4%A; d=\"q\"" } } as http.IncomingMessage;
    expect([...readCookies(req)]).toEqual([["a", "1"], ["b", " x"], ["d", "q"]]);
  });

  it("sets, replaces and deletes cookies with the right flags", () => {
    const headers = new Map<string, unknown>();
    const res = { getHeader: (k: string) => headers.get(k), setHeader: (k: string, v: unknown) => headers.set(k, v) } as unknown as http.ServerResponse;
    setCookie(res, "s", "v1", { httpOnly: true, secure: false, maxAgeS: 60 });
    setCookie(res, "t", "x", { httpOnly: false, secure: true });
    setCookie(res, "s", "", { httpOnly: true, secure: false, maxAgeS: 0 });
    expect(headers.get("set-cookie")).toEqual(["t=x; Path=/; SameSite=Lax; Secure", "s=; Path=/; SameSite=Lax; Max-Age=0; HttpOnly"]);
  });
});
