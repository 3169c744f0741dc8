import { describe, expect, it } from "vitest";
import { parseGatewayConfig, ConfigError, parseWorkerConfig, workerConfigToArgs } from "../../shared/config/index.ts";

const root = "/opt/plothost";

describe("gateway config", () => {
  it("defaults to port 5006 on 127.0.0.1 with the demo app", () => {
    const c = parseGatewayConfig([], {}, root);
    expect(c.port).toBe(5006);
    expect(c.address).toBe("127.0.0.1");
    expect(c.apps).toEqual([{ name: "demo", path: "/opt/plothost/apps/demo.ts" }]);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it("takes the port from --port, then PLOTHOST_PORT, then PORT", () => {
    expect(parseGatewayConfig(["--port", "7000"], { PORT: "8000" }, root).port).toBe(7000);
    expect(parseGatewayConfig([], { PORT: "8000" }, root).port).toBe(8000);
    expect(parseGatewayConfig([], { PORT: "8000", PLOTHOST_PORT: "9000" }, root).port).toBe(9000);
  });

  it("names apps after their files", () => {
    const c = parseGatewayConfig(["/x/sliders.ts", "/y/other.js"], {}, root);
    expect(c.apps.map((a) => a.name)).toEqual(["sliders", "other"]);
  });

  it("reports every problem at once", () => {
    try {
      parseGatewayConfig(["--port", "99999", "--sandbox", "docker", "/a/static.ts"], { PLOTHOST_DEV: "maybe" }, root);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join("\n");
      expect(problems).toMatch(/--port/);
      expect(problems).toMatch(/--sandbox/);
      expect(problems).toMatch(/PLOTHOST_DEV/);
      expect(problems).toMatch(/reserved/);
    }
  });

  it("rejects unknown flags with a clear message", () => {
    expect(() => parseGatewayConfig(["--nope"], {}, root)).toThrow(/Unknown option '--nope'/);
  });
});

describe("worker config", () => {
  it("round-trips through the flags the gateway spawns it with", () => {
    const c = parseWorkerConfig(["--socket", "/tmp/s.sock", "--app", "/a.ts", "--prefix", "/demo", "--dev"]);
    expect(parseWorkerConfig(workerConfigToArgs(c))).toEqual(c);
  });

  it("requires socket, app and prefix", () => {
    expect(() => parseWorkerConfig([])).toThrow(/--prefix is required[\s\S]*--socket is required[\s\S]*--app is required/);
  });
});

describe("gateway config: accounts", () => {
  it("defaults to single-user mode with an SQLite file in the data directory and bcrypt cost 12", () => {
    const c = parseGatewayConfig(["-D", "/data/ph"], {}, root);
    expect(c).toMatchObject({ multiUser: false, allowRegistration: true, databaseUrl: "file:/data/ph/plothost.db", bcryptCost: 12, authModule: null, secureCookies: false });
  });

  it("takes multi-user mode, registration, the database, the cost and the auth module from flags or env", () => {
    expect(parseGatewayConfig(["-m"], {}, root).multiUser).toBe(true);
    expect(parseGatewayConfig(["--multi-user"], {}, root).multiUser).toBe(true);
    expect(parseGatewayConfig([], { PLOTHOST_MULTI_USER: "1" }, root).multiUser).toBe(true);
    expect(parseGatewayConfig(["--no-allow-registration"], {}, root).allowRegistration).toBe(false);
    expect(parseGatewayConfig([], { PLOTHOST_ALLOW_REGISTRATION: "0" }, root).allowRegistration).toBe(false);
    expect(parseGatewayConfig(["--allow-registration"], { PLOTHOST_ALLOW_REGISTRATION: "0" }, root).allowRegistration).toBe(true);
    expect(parseGatewayConfig([], { DATABASE_URL: "postgresql://db/x" }, root).databaseUrl).toBe("postgresql://db/x");
    expect(parseGatewayConfig(["--database-url", "file:/a.db"], { DATABASE_URL: "postgresql://db/x" }, root).databaseUrl).toBe("file:/a.db");
    expect(parseGatewayConfig([], { PLOTHOST_BCRYPT_COST: "4" }, root).bcryptCost).toBe(4);
    const sso = parseGatewayConfig(["--auth-module", "/etc/sso.ts"], {}, root);
    expect(sso).toMatchObject({ authModule: "/etc/sso.ts", multiUser: true });
  });

  it("reports bad account settings with the rest", () => {
    try {
      parseGatewayConfig(["--bcrypt-cost", "3", "--allow-registration", "--no-allow-registration", "--database-url", "mysql://u:pw@h/db"], {}, root);
      expect.unreachable();
    } catch (err) {
      const problems = (err as ConfigError).problems.join("\n");
      expect(problems).toMatch(/--bcrypt-cost/);
      expect(problems).toMatch(/contradict/);
      expect(problems).toMatch(/DATABASE_URL must be file:PATH/);
      expect(problems).not.toMatch(/pw@/);
    }
  });
});
