/** `plothost runner` refuses to start without what it needs, saying what to add (exit 2). */
import { describe, expect, it } from "vitest";
import { runCli } from "../client/run-cli.ts";

const SECRET = "r".repeat(40);

describe("plothost runner: usage errors", { timeout: 60_000 }, () => {
  it("needs the runner secret and the gateways' Redis, and says how to give them", async () => {
    const noSecret = await runCli(["runner", "--redis-url", "redis://127.0.0.1:6379"], {});
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toMatch(/a runner needs the secret its gateways use: --runner-secret S or PLOTHOST_RUNNER_SECRET/);
    const noRedis = await runCli(["runner"], { PLOTHOST_RUNNER_SECRET: SECRET });
    expect(noRedis.code).toBe(2);
    expect(noRedis.stderr).toMatch(/a runner needs the gateways' Redis: --redis-url URL or REDIS_URL/);
    const short = await runCli(["runner", "--runner-secret", "short", "--redis-url", "redis://127.0.0.1:6379"], {});
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/--runner-secret \/ PLOTHOST_RUNNER_SECRET must be at least 32 characters/);
    const help = await runCli(["runner", "--help"], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/--advertise-address HOST/);
  });

  it("a gateway with --runners needs the secret and --backend redis", async () => {
    const r = await runCli(["serve", "--runners", "--port", "0"], {});
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--runners needs the secret the runners were started with/);
    expect(r.stderr).toMatch(/--runners needs --backend redis/);
  });
});
