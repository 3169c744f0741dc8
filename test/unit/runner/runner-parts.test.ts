import { createPublicKey, sign, verify } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, parseGatewayConfig } from "../../../shared/config/index.ts";
import { runnerAuth, verifyRunnerAuth } from "../../../gateway/src/runner/runner-auth.ts";
import { parseRunnerEvent, parseRunnerTarget, runnerTarget } from "../../../gateway/src/runner/runner-protocol.ts";
import { userHeaderKey } from "../../../gateway/src/auth/user-header-key.ts";
import { mayBeRegistering } from "../../../gateway/src/apps/app-router.ts";
import { generateToken, isServedPageToken, sessionIdFromToken } from "../../../shared/protocol/index.ts";

const SECRET = "s".repeat(40);

describe("runner auth: proof of the shared secret, per worker, time-bound", () => {
  it("accepts its own proof and refuses another secret, another worker, a stale or malformed one", () => {
    const now = 1_800_000_000_000;
    const proof = runnerAuth(SECRET, "w1", now);
    expect(verifyRunnerAuth(SECRET, "w1", proof, now + 1000)).toBe(true);
    expect(verifyRunnerAuth("t".repeat(40), "w1", proof, now)).toBe(false);
    expect(verifyRunnerAuth(SECRET, "w2", proof, now)).toBe(false);
    expect(verifyRunnerAuth(SECRET, "w1", proof, now + 61_000)).toBe(false);
    expect(verifyRunnerAuth(SECRET, "w1", proof, now - 61_000)).toBe(false);
    expect(verifyRunnerAuth(SECRET, "w1", undefined, now)).toBe(false);
    expect(verifyRunnerAuth(SECRET, "w1", proof.replace(/.$/, (c) => (c === "0" ? "1" : "0")), now)).toBe(false);
    expect(verifyRunnerAuth(SECRET, "w1", `${proof}0`, now)).toBe(false);
    expect(proof).not.toContain(SECRET);
  });
});

describe("runner protocol", () => {
  it("round-trips worker targets; a Unix socket path is not one", () => {
    const t = runnerTarget("10.0.0.5:7100", "abc123", "w_1-x");
    expect(parseRunnerTarget(t)).toEqual({ address: "10.0.0.5:7100", host: "10.0.0.5", port: 7100, runnerId: "abc123", workerId: "w_1-x" });
    expect(parseRunnerTarget(runnerTarget("[::1]:80", "r", "w"))).toMatchObject({ host: "::1", port: 80 });
    expect(parseRunnerTarget("/tmp/plothost-x/worker.sock")).toBeNull();
    expect(parseRunnerTarget("runner://h:1/r/w/../x")).toBeNull();
  });

  it("ignores malformed events", () => {
    expect(parseRunnerEvent("not json")).toBeNull();
    expect(parseRunnerEvent(JSON.stringify({ type: "session", runner: "r", worker: "w", op: "eaten", id: "s" }))).toBeNull();
    expect(parseRunnerEvent(JSON.stringify({ type: "state", worker: "w", state: "running" }))).toBeNull();
    expect(parseRunnerEvent(JSON.stringify({ type: "session", runner: "r", worker: "w", op: "created", id: "s" }))).toMatchObject({ op: "created" });
    expect(parseRunnerEvent(JSON.stringify({ type: "runner-stopped", runner: "r" }))).toEqual({ type: "runner-stopped", runner: "r" });
  });
});

describe("runner flags", () => {
  const problems = (argv: string[], env: Record<string, string> = {}) => {
    try {
      parseGatewayConfig(argv, env, "/opt/plothost");
      return "";
    } catch (err) {
      return (err as ConfigError).problems.join("\n");
    }
  };

  it("--runners needs the secret and --backend redis; the secret must be long enough", () => {
    expect(problems(["--runners", "--backend", "redis"])).toMatch(/--runners needs the secret/);
    expect(problems(["--runners", "--runner-secret", SECRET])).toMatch(/--runners needs --backend redis/);
    expect(problems(["--runner-secret", "short"])).toMatch(/at least 32 characters/);
    const c = parseGatewayConfig(["--backend", "redis"], { PLOTHOST_RUNNERS: "1", PLOTHOST_RUNNER_SECRET: SECRET, PLOTHOST_RUNNER_HEARTBEAT: "500" }, "/opt/plothost");
    expect(c).toMatchObject({ runners: true, runnerSecret: SECRET, runnerHeartbeatMs: 500, advertiseAddress: null });
  });
});

describe("user-header signing key", () => {
  it("is derived from PLOTHOST_SECRET_KEY (gateways with separate data directories sign alike), else kept in the data dir", () => {
    const a = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-key-"));
    const b = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-key-"));
    try {
      const k1 = userHeaderKey(a, SECRET);
      const k2 = userHeaderKey(b, SECRET);
      const msg = Buffer.from("user header");
      expect(verify(null, msg, createPublicKey(k2), sign(null, msg, k1))).toBe(true);
      expect(verify(null, msg, createPublicKey(userHeaderKey(a, "u".repeat(40))), sign(null, msg, k1))).toBe(false);
      expect(fs.existsSync(path.join(a, "keys"))).toBe(false);
      const f1 = userHeaderKey(a, null);
      expect(fs.existsSync(path.join(a, "keys", "user-header.pem"))).toBe(true);
      expect(verify(null, msg, createPublicKey(userHeaderKey(a, null)), sign(null, msg, f1))).toBe(true);
      expect(verify(null, msg, createPublicKey(userHeaderKey(b, null)), sign(null, msg, f1))).toBe(false);
    } finally {
      fs.rmSync(a, { recursive: true, force: true });
      fs.rmSync(b, { recursive: true, force: true });
    }
  });
});

describe("waiting for a session's registration", () => {
  const ws = (token: string) => ({ url: "/app/ws", headers: { "sec-websocket-protocol": `bokeh, ${token}` } }) as never;
  it("waits for page tokens the server minted and for requests naming a session, not for ids a client made up", () => {
    const page = generateToken("s1", { servedPage: true });
    const client = generateToken("s2");
    expect(isServedPageToken(page)).toBe(true);
    expect(isServedPageToken(client)).toBe(false);
    expect(isServedPageToken("not a token")).toBe(false);
    expect(sessionIdFromToken(page)).toBe("s1");
    expect(mayBeRegistering(ws(page))).toBe(true);
    expect(mayBeRegistering(ws(client))).toBe(false);
    expect(mayBeRegistering(ws("garbage"))).toBe(false);
    expect(mayBeRegistering({ url: "/app?bokeh-session-id=s3", headers: {} } as never)).toBe(true);
  });
});
