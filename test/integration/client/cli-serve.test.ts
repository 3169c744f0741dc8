import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { SERVE_OPTIONS } from "../../../shared/config/index.ts";
import { BokehTestClient, tokenFromPage } from "../../helpers/bokeh-client.ts";
import { projectRoot } from "../../helpers/start-gateway.ts";
import { closedPort } from "./client-helpers.ts";
import { killServers, runCli, startServe, type Served } from "./run-cli.ts";

const ECHO = path.join(projectRoot, "test", "fixtures", "apps", "echo.ts");
const PID = path.join(projectRoot, "test", "fixtures", "apps", "pid.ts");

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-serve-"));
const serve = (args: readonly string[], env: Record<string, string> = {}) => startServe(args, env, tmp);

/** GET over plain HTTP, HTTPS (trusting `ca`) or a Unix socket; the body as text. */
function get(url: string, opts: { ca?: Buffer; socketPath?: string; headers?: Record<string, string>; method?: string; body?: string } = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const u = new URL(url);
    const mod = u.protocol === "https:" ? https : http;
    const req = mod.request(u, { ca: opts.ca, socketPath: opts.socketPath, headers: opts.headers, method: opts.method ?? "GET", timeout: 30_000 }, (res) => {
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

/** Bokeh document JSON to publish (what Python Bokeh 3.6 wrote). */
const DOC = fs.readFileSync(path.join(projectRoot, "test", "fixtures", "bokeh-3.6-docs", "line_scatter_hover.json"), "utf8");

describe("plothost serve: flags parsed and applied by real server processes", { timeout: 180_000 }, () => {
  afterAll(async () => {
    killServers();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("--help lists every serve flag; serve --help too", async () => {
    const [help, serveHelp] = await Promise.all([runCli(["--help"], {}), runCli(["serve", "--help"], {})]);
    expect(help.code).toBe(0);
    expect(serveHelp.code).toBe(0);
    for (const name of Object.keys(SERVE_OPTIONS)) expect(help.stdout, `--${name} in --help`).toMatch(new RegExp(`--${name}\\b`));
    expect(serveHelp.stdout).toContain("--url-prefix PATH");
    expect(help.stdout).toMatch(/PLOTHOST_<FLAG>/);
  });

  it("bad flags and --num-procs above 1 are usage errors (exit 2) saying what to do", async () => {
    const [noRedis, withRedis, half, bad] = await Promise.all([
      runCli(["serve", "--num-procs", "2", "-D", path.join(tmp, "np1")], {}),
      runCli(["serve", "--num-procs", "4", "--redis-url", "redis://127.0.0.1:6379", "-D", path.join(tmp, "np2")], {}),
      runCli(["serve", "--ssl-certfile", "cert.pem", "-D", path.join(tmp, "np3")], {}),
      runCli(["serve", "--url-prefix", "/a b", "-D", path.join(tmp, "np4")], { PLOTHOST_NUM_PROCS: "3" }),
    ]);
    expect(noRedis.code).toBe(2);
    expect(noRedis.stderr).toMatch(/--num-procs 2 needs shared state: .*--backend redis/);
    expect(withRedis.code).toBe(2);
    expect(withRedis.stderr).toMatch(/--num-procs 4 needs shared state: .*add --backend redis/);
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/--ssl-certfile and --ssl-keyfile go together/);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--url-prefix/);
    expect(bad.stderr).toMatch(/--num-procs 3/);
  });

  describe("a server with --url-prefix, port and app from the environment, and --ip", () => {
    let s: Served;
    let port: number;
    beforeAll(async () => {
      port = await closedPort();
      s = await serve(["--ip", "127.0.0.1"], { PLOTHOST_PORT: String(port), PLOTHOST_URL_PREFIX: "/viz/", PLOTHOST_APPS: ECHO });
    });
    afterAll(async () => expect(await s?.stop()).toBe(0));

    it("listens on that port and serves pages, BokehJS, the API and WebSockets under the prefix only", async () => {
      expect(s.url).toBe(`http://localhost:${port}/viz`);
      await s.printed(`app echo: http://localhost:${port}/viz/echo`);
      const base = `http://127.0.0.1:${port}`;
      const [root, index, page, outside, bokehjs, api] = await Promise.all([
        get(`${base}/`), get(`${base}/viz`), get(`${base}/viz/echo`), get(`${base}/echo`),
        get(`${base}/viz/static/js/bokeh.min.js`), get(`${base}/viz/api/v1/docs`),
      ]);
      expect(root.status).toBe(404);
      expect(outside.status).toBe(404);
      expect(JSON.parse(outside.body).error.code).toBe("not_found");
      expect(index.status).toBe(302); // one app: / redirects to it
      expect(index.headers.location).toBe("/viz/echo");
      expect(page.status).toBe(200);
      expect(page.body).toContain('src="/viz/static/js/bokeh.min.js');
      expect(bokehjs.status).toBe(200);
      expect(api.status).toBe(200);
      const published = await get(`${base}/viz/api/v1/docs?name=p`, { method: "POST", headers: { "content-type": "application/json" }, body: DOC });
      expect(published.status).toBe(201);
      expect(JSON.parse(published.body).url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/viz/doc/`));

      const client = await BokehTestClient.connect(`ws://127.0.0.1:${port}/viz/echo/ws`, tokenFromPage(page.body));
      expect((await client.next((m) => m.header.msgtype === "ACK")).header.msgtype).toBe("ACK");
      await client.close();
      await expect(BokehTestClient.connect(`ws://127.0.0.1:${port}/echo/ws`, tokenFromPage(page.body))).rejects.toMatchObject({ status: 404 });
    });

    it("ignores X-Forwarded-* headers without --use-xheaders", async () => {
      const headers = { "content-type": "application/json", "x-forwarded-proto": "https", "x-forwarded-host": "public.example" };
      const res = await get(`http://127.0.0.1:${port}/viz/api/v1/docs?name=q`, { method: "POST", headers, body: DOC });
      expect(JSON.parse(res.body).url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/viz/doc/`));
    });
  });

  it("two apps (positional and --script): an index at / listing both; the origin list is applied to WebSockets", async () => {
    const s = await serve(["--port", "0", ECHO, "--script", PID, "--allow-websocket-origin", "good.example", "--allow-websocket-origin", "other.example:8080"]);
    try {
      const index = await get(`${s.url}/`);
      expect(index.status).toBe(200);
      expect(index.body).toContain('<a href="/echo">/echo</a>');
      expect(index.body).toContain('<a href="/pid">/pid</a>');
      const page = await get(`${s.url}/echo`);
      const ws = `${s.url.replace(/^http/, "ws")}/echo/ws`;
      const [good, other] = await Promise.all([
        BokehTestClient.connect(ws, tokenFromPage(page.body), { origin: "https://good.example" }),
        BokehTestClient.connect(ws, tokenFromPage((await get(`${s.url}/echo`)).body), { origin: "http://other.example:8080" }),
      ]);
      await Promise.all([good.next((m) => m.header.msgtype === "ACK"), other.next((m) => m.header.msgtype === "ACK")]);
      await Promise.all([good.close(), other.close()]);
      const token = tokenFromPage((await get(`${s.url}/echo`)).body);
      await expect(BokehTestClient.connect(ws, token, { origin: "http://evil.example" })).rejects.toMatchObject({ status: 403 });
      await expect(BokehTestClient.connect(ws, token, { origin: "http://other.example:9999" })).rejects.toMatchObject({ status: 403 });
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it("--unix-socket with --disable-index: served over the socket, no page at /", async () => {
    const socketPath = path.join(tmp, "gw.sock");
    const s = await serve(["--unix-socket", socketPath, "--disable-index", ECHO]);
    try {
      expect(s.url).toBe(`http+unix://${encodeURIComponent(socketPath)}`);
      expect(fs.statSync(socketPath).isSocket()).toBe(true);
      const [root, page] = await Promise.all([get("http://localhost/", { socketPath }), get("http://localhost/echo", { socketPath })]);
      expect(root.status).toBe(404);
      expect(page.status).toBe(200);
      expect(page.body).toContain("<title>echo</title>");
    } finally {
      expect(await s.stop()).toBe(0);
    }
    expect(fs.existsSync(socketPath)).toBe(false);
  });

  it("--ssl-certfile/--ssl-keyfile serve HTTPS; --disable-index-redirect shows the index for one app", async () => {
    const cert = path.join(tmp, "cert.pem");
    const key = path.join(tmp, "key.pem");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
      "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert], { stdio: "ignore" });
    const s = await serve(["--port", "0", "--ssl-certfile", cert, "--ssl-keyfile", key, "--disable-index-redirect", ECHO]);
    try {
      expect(s.url).toMatch(/^https:\/\/localhost:\d+$/);
      const ca = fs.readFileSync(cert);
      const [index, page] = await Promise.all([get(`${s.url}/`, { ca }), get(`${s.url}/echo`, { ca })]);
      expect(index.status).toBe(200);
      expect(index.body).toContain('<a href="/echo">/echo</a>');
      expect(page.status).toBe(200);
      await expect(get(`${s.url.replace("https:", "http:")}/`)).rejects.toThrow(); // no plain HTTP on that port
      // The session's WebSocket over TLS: the server's first message arrives.
      const ws = new WebSocket(`${s.url.replace("https:", "wss:")}/echo/ws`, ["bokeh", tokenFromPage(page.body)], { ca });
      await new Promise<void>((resolve, reject) => {
        setTimeout(() => reject(new Error("no message over wss:// within 20 s")), 20_000).unref();
        ws.once("message", () => resolve());
        ws.once("error", reject);
        ws.once("unexpected-response", (_req, r) => reject(new Error(`HTTP ${r.statusCode}`)));
      });
      ws.close();
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it("--use-xheaders builds links and checks origins with the proxy's host and scheme; --show opens the app", async () => {
    const opened = path.join(tmp, "opened.txt");
    const browser = path.join(tmp, "browser.sh");
    fs.writeFileSync(browser, `#!/bin/sh\nprintf '%s' "$1" > '${opened}.tmp' && mv '${opened}.tmp' '${opened}'\n`, { mode: 0o755 });
    const s = await serve(["--port", "0", "--use-xheaders", "--show", ECHO], { BROWSER: browser });
    try {
      const headers = { "content-type": "application/json", "x-forwarded-proto": "https", "x-forwarded-host": "public.example", "x-forwarded-for": "203.0.113.7" };
      const res = await get(`${s.url}/api/v1/docs?name=x&visibility=public`, { method: "POST", headers, body: DOC });
      expect(res.status).toBe(201);
      expect(JSON.parse(res.body)).toMatchObject({ url: expect.stringMatching(/^https:\/\/public\.example\/doc\//), publicUrl: expect.stringMatching(/^https:\/\/public\.example\/doc\//) });
      // Behind the proxy the browser's origin is the public one, which now is the same host.
      const page = await get(`${s.url}/echo`);
      const ws = `${s.url.replace(/^http/, "ws")}/echo/ws`;
      const viaProxy = await BokehTestClient.connect(ws, tokenFromPage(page.body), { origin: "https://public.example", "x-forwarded-host": "public.example" });
      await viaProxy.next((m) => m.header.msgtype === "ACK");
      await viaProxy.close();

      const deadline = Date.now() + 20_000;
      while (!fs.existsSync(opened) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(fs.readFileSync(opened, "utf8")).toBe(`${s.url}/echo`);
      await s.printed(`opening ${s.url}/echo with ${browser}`);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });

  it("--show without a browser or display says where to go instead", async () => {
    const s = await serve(["--port", "0", "--show", ECHO]);
    try {
      await s.printed(`--show: no browser to open here (no DISPLAY or BROWSER); open ${s.url}/echo yourself`);
    } finally {
      expect(await s.stop()).toBe(0);
    }
  });
});
