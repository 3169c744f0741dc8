/**
 * Path traversal in static paths (issue 10, HTTP input): BokehJS's /static/js/, an app's static/ folder and the
 * published-document pages never serve a file outside what they serve, however the `..` is spelled (raw, percent-
 * encoded, encoded slashes or backslashes, overlong). Requests go over raw TCP so nothing normalises the path
 * first. Traversal in app archives is covered by test/unit/apps/archive.test.ts and test/integration/apps/deploy.test.ts.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot, startGateway } from "../../helpers/start-gateway.ts";
import { fixture } from "../apps/app-helpers.ts";
import { rawExchange } from "./raw-http.ts";

/** Ways to say "one folder up", as a path segment. */
const UP = ["..", "%2e%2e", "%2E%2E", ".%2e", "%2e.", "..%2f..", "..%5c..", "%2e%2e%2f%2e%2e", "..\\..", "%252e%252e", "%c0%ae%c0%ae"];

async function get(port: number, target: string) {
  return rawExchange(port, `GET ${target} HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n`);
}

describe("path traversal in static paths", () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  const secrets = {
    packageJson: fs.readFileSync(path.join(projectRoot, "package.json"), "utf8").slice(0, 60),
    appMain: fs.readFileSync(path.join(fixture("dirapp"), "main.ts"), "utf8").slice(0, 60),
    passwd: "root:x:0:0",
  };
  beforeAll(async () => {
    gw = await startGateway([fixture("dirapp")]);
    fs.writeFileSync(path.join(gw.dataDir, "secret.txt"), "TOP-SECRET-DATA-DIR");
  });
  afterAll(async () => {
    await gw?.close();
  });

  const leaked = (text: string) => [secrets.packageJson, secrets.appMain, secrets.passwd, "TOP-SECRET-DATA-DIR"].filter((s) => text.includes(s));

  it("the legitimate files are served (so the refusals below are not a broken server)", async () => {
    expect((await get(gw.port, "/static/js/bokeh.min.js")).status).toBe(200);
    expect((await get(gw.port, "/dirapp/static/style.css")).status).toBe(200);
  });

  for (const base of ["/static/js", "/dirapp/static", "/doc", "/dirapp"]) {
    it(`${base}/<up>/... never reaches outside`, async () => {
      for (const up of UP) {
        for (const target of [
          `${base}/${up}/package.json`, `${base}/${up}/${up}/package.json`, `${base}/${up}/${up}/${up}/${up}/${up}/${up}/etc/passwd`,
          `${base}/${up}/main.ts`, `${base}/${up}/${up}/secret.txt`, `${base}/${up}/${up}/${up}/main.ts`,
        ]) {
          const r = await get(gw.port, target);
          expect(r.status, target).not.toBeNull();
          expect(leaked(r.text), target).toEqual([]);
        }
      }
    });
  }

  it("dot-files and absolute-form targets are not served", async () => {
    fs.writeFileSync(path.join(gw.dataDir, ".env"), "TOP-SECRET-DATA-DIR");
    for (const target of ["/dirapp/static/.hidden", "/dirapp/static/%2e/main.ts", "//etc/passwd", "/static/js//etc/passwd", "/static/js/%2fetc%2fpasswd"]) {
      const r = await get(gw.port, target);
      expect(r.status, target).not.toBe(200);
      expect(leaked(r.text), target).toEqual([]);
    }
  });

  it("still serves afterwards", async () => {
    expect((await fetch(`${gw.url}/dirapp/static/style.css`)).status).toBe(200);
  });
});
