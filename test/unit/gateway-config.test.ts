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
