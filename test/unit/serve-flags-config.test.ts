import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseGatewayConfig } from "../../shared/config/index.ts";

const root = "/opt/plothost";
const problems = (argv: string[], env: Record<string, string> = {}): string => {
  try {
    parseGatewayConfig(argv, env, root);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.join("\n");
    throw err;
  }
  return "";
};

describe("plothost serve: bokeh serve's network flags", () => {
  it("defaults: no prefix, plain HTTP on TCP, one process, index with redirect", () => {
    expect(parseGatewayConfig([], {}, root)).toMatchObject({
      urlPrefix: "", tls: null, unixSocket: null, useXheaders: false, numProcs: 1, show: false, disableIndex: false, disableIndexRedirect: false,
    });
  });

  it("--ip is --address; giving both differently is an error", () => {
    expect(parseGatewayConfig(["--ip", "0.0.0.0"], {}, root).address).toBe("0.0.0.0");
    expect(parseGatewayConfig(["--ip", "10.0.0.1"], { PLOTHOST_ADDRESS: "0.0.0.0" }, root).address).toBe("10.0.0.1");
    expect(problems(["--ip", "0.0.0.0", "--address", "127.0.0.1"])).toMatch(/--ip is another name for --address/);
  });

  it("normalises --url-prefix and refuses odd ones", () => {
    expect(parseGatewayConfig(["--url-prefix", "viz/"], {}, root).urlPrefix).toBe("/viz");
    expect(parseGatewayConfig(["--url-prefix", "/a/b"], {}, root).urlPrefix).toBe("/a/b");
    expect(parseGatewayConfig(["--url-prefix", "/"], {}, root).urlPrefix).toBe("");
    expect(problems(["--url-prefix", "/a?b"])).toMatch(/--url-prefix/);
  });

  it("reads every flag from PLOTHOST_<FLAG> when not given; the command line wins", () => {
    const c = parseGatewayConfig(["--worker-idle-timeout", "5"], {
      PLOTHOST_URL_PREFIX: "/env", PLOTHOST_USE_XHEADERS: "1", PLOTHOST_DISABLE_INDEX: "true", PLOTHOST_WORKER_IDLE_TIMEOUT: "9",
      PLOTHOST_UNUSED_SESSION_LIFETIME: "1234", PLOTHOST_SCRIPT: "/x/a.ts,/x/b.ts", PLOTHOST_SHOW: "0",
    }, root);
    expect(c).toMatchObject({ urlPrefix: "/env", useXheaders: true, disableIndex: true, workerIdleTimeoutMs: 5, unusedSessionLifetimeMs: 1234, show: false });
    expect(c.apps.map((a) => a.name)).toEqual(["a", "b"]);
    expect(problems([], { PLOTHOST_USE_XHEADERS: "maybe" })).toMatch(/--use-xheaders \/ PLOTHOST_USE_XHEADERS must be a boolean/);
  });

  it("takes apps as positionals, --script (repeatable) or PLOTHOST_APPS", () => {
    expect(parseGatewayConfig(["/x/a.ts", "--script", "/y/b.ts", "--script", "/z/c"], {}, root).apps.map((a) => a.name)).toEqual(["a", "b", "c"]);
    expect(parseGatewayConfig([], { PLOTHOST_APPS: "/x/one.ts, /x/two.ts" }, root).apps.map((a) => a.name)).toEqual(["one", "two"]);
  });

  it("HTTPS needs both PEM files, which must exist; a Unix socket replaces --port/--address and excludes TLS", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-tls-"));
    try {
      fs.writeFileSync(path.join(dir, "c.pem"), "");
      fs.writeFileSync(path.join(dir, "k.pem"), "");
      const ok = parseGatewayConfig(["--ssl-certfile", path.join(dir, "c.pem"), "--ssl-keyfile", path.join(dir, "k.pem")], {}, root);
      expect(ok.tls).toEqual({ certFile: path.join(dir, "c.pem"), keyFile: path.join(dir, "k.pem") });
      expect(problems(["--ssl-keyfile", path.join(dir, "k.pem")])).toMatch(/go together/);
      expect(problems(["--ssl-certfile", "/nope/c.pem", "--ssl-keyfile", path.join(dir, "k.pem")])).toMatch(/--ssl-certfile: no such file: \/nope\/c.pem/);
      expect(parseGatewayConfig(["--unix-socket", "/run/p.sock"], { PORT: "80" }, root).unixSocket).toBe("/run/p.sock");
      const both = problems(["--unix-socket", "/run/p.sock", "--port", "1", "--ssl-certfile", path.join(dir, "c.pem"), "--ssl-keyfile", path.join(dir, "k.pem")]);
      expect(both).toMatch(/--unix-socket replaces --port/);
      expect(both).toMatch(/--unix-socket cannot be combined with --ssl-certfile/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--num-procs: 1 is fine; more only with --backend redis (a Redis URL alone leaves documents in files)", () => {
    expect(parseGatewayConfig(["--num-procs", "1"], {}, root).numProcs).toBe(1);
    expect(problems(["--num-procs", "2"])).toMatch(/--num-procs 2 needs shared state: several gateway processes only work with --backend redis/);
    expect(problems(["--num-procs", "2", "--redis-url", "redis://127.0.0.1:6379"])).toMatch(/--num-procs 2 needs shared state/);
    expect(parseGatewayConfig(["--num-procs", "2", "--backend", "redis"], {}, root).numProcs).toBe(2);
    expect(problems(["--num-procs", "lots"])).toMatch(/--num-procs \/ PLOTHOST_NUM_PROCS must be an integer/);
  });
});
