import { parseArgs } from "node:util";
import { ConfigError } from "./config-error.ts";
import { Readers } from "./readers.ts";

/**
 * A worker's configuration: everything arrives as flags from the gateway that spawned it (the sandbox clears the
 * environment). Validated once, frozen.
 */
export interface WorkerConfig {
  readonly socketPath: string;
  readonly appPath: string;
  /** URL prefix the app is served at, e.g. `/demo`. */
  readonly prefix: string;
  readonly dev: boolean;
  readonly logLevel: string;
  readonly unusedSessionLifetimeMs: number;
  readonly checkUnusedSessionsMs: number;
  readonly keepAliveMs: number;
  readonly sessionTokenExpirationS: number;
  readonly maxMessageBytes: number;
  /** Typed arrays at least this many bytes long travel as binary buffers rather than base64. */
  readonly binaryThresholdBytes: number;
  /**
   * A file holding the secret key when session ids and tokens must be signed (`--sign-sessions`). A file, not a
   * flag or env var, so the key never shows on a command line.
   */
  readonly secretFile: string | null;
  /**
   * The gateway's public key (base64url SPKI) for the signed user header (`ctx.user`); null: no user header is
   * trusted. Public, so a flag is fine. Optional so hand-made configs (benchmarks, tests) need not name it.
   */
  readonly userHeaderKey?: string | null;
  /**
   * The supervisor saves restorable apps' sessions (`--persist-sessions`): such an app's worker journals them and
   * holds each client OK until the save is confirmed. Optional like `userHeaderKey`.
   */
  readonly persistSessions?: boolean;
}

/** Turns a worker config back into flags: the gateway uses it to spawn, the worker parses them. */
export function workerConfigToArgs(c: WorkerConfig): string[] {
  return [
    "--socket", c.socketPath, "--app", c.appPath, "--prefix", c.prefix, ...(c.dev ? ["--dev"] : []),
    "--log-level", c.logLevel,
    "--unused-session-lifetime", String(c.unusedSessionLifetimeMs),
    "--check-unused-sessions", String(c.checkUnusedSessionsMs),
    "--keep-alive", String(c.keepAliveMs),
    "--session-token-expiration", String(c.sessionTokenExpirationS),
    "--max-message-size", String(c.maxMessageBytes),
    "--binary-threshold", String(c.binaryThresholdBytes),
    ...(c.secretFile ? ["--secret-file", c.secretFile] : []),
    ...(c.userHeaderKey ? ["--user-header-key", c.userHeaderKey] : []),
    ...(c.persistSessions ? ["--persist-sessions"] : []),
  ];
}

export function parseWorkerConfig(argv: readonly string[]): WorkerConfig {
  const r = new Readers();
  let v: Record<string, string | boolean | undefined> = {};
  try {
    v = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        socket: { type: "string" }, app: { type: "string" }, prefix: { type: "string" }, dev: { type: "boolean" },
        "log-level": { type: "string" }, "unused-session-lifetime": { type: "string" },
        "check-unused-sessions": { type: "string" }, "keep-alive": { type: "string" },
        "session-token-expiration": { type: "string" }, "max-message-size": { type: "string" },
        "binary-threshold": { type: "string" }, "secret-file": { type: "string" },
        "user-header-key": { type: "string" }, "persist-sessions": { type: "boolean" },
      },
    }).values;
  } catch (err) {
    r.problems.push((err as Error).message);
  }
  const s = (k: string) => v[k] as string | undefined;
  const prefix = r.required("--prefix", s("prefix"));
  // "." for user names (`/alice.smith/app`), which are one URL segment of the prefix of a deployed app.
  if (prefix && !/^\/[A-Za-z0-9._\-/]*$/.test(prefix)) r.problems.push(`--prefix must start with / (got "${prefix}")`);
  const config: WorkerConfig = {
    socketPath: r.required("--socket", s("socket")),
    appPath: r.required("--app", s("app")),
    prefix: prefix.replace(/\/+$/, ""),
    dev: Boolean(v.dev),
    logLevel: s("log-level") ?? "info",
    unusedSessionLifetimeMs: r.int("--unused-session-lifetime", s("unused-session-lifetime"), 15_000, 1),
    checkUnusedSessionsMs: r.int("--check-unused-sessions", s("check-unused-sessions"), 17_000, 1),
    keepAliveMs: r.int("--keep-alive", s("keep-alive"), 37_000, 0),
    sessionTokenExpirationS: r.int("--session-token-expiration", s("session-token-expiration"), 300, 1),
    maxMessageBytes: r.int("--max-message-size", s("max-message-size"), 20 * 1024 * 1024, 1024),
    binaryThresholdBytes: r.int("--binary-threshold", s("binary-threshold"), 64, 0),
    secretFile: s("secret-file") ?? null,
    userHeaderKey: s("user-header-key") ?? null,
    persistSessions: Boolean(v["persist-sessions"]),
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return Object.freeze(config);
}
