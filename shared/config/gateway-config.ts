import path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "./config-error.ts";
import { Readers } from "./readers.ts";

/** How the gateway isolates workers: `auto` uses bubblewrap when it works and falls back loudly. */
export type SandboxPreference = "auto" | "bwrap" | "plain";

/** One app to serve: its URL name (`/<name>`) and the module that builds each session's document. */
export interface AppSpec {
  readonly name: string;
  readonly path: string;
}

/**
 * The gateway's whole configuration, validated once at start and frozen. Nothing else reads `process.env`.
 * Deliberately absent for now: accounts, storage backends, Redis (later issues add them here).
 */
export interface GatewayConfig {
  readonly port: number;
  readonly address: string;
  readonly dataDir: string;
  readonly dev: boolean;
  readonly logLevel: string;
  readonly sandbox: SandboxPreference;
  readonly apps: readonly AppSpec[];
  readonly allowWebsocketOrigins: readonly string[];
  readonly workerStartTimeoutMs: number;
  readonly unusedSessionLifetimeMs: number;
  readonly checkUnusedSessionsMs: number;
  readonly keepAliveMs: number;
  readonly sessionTokenExpirationS: number;
  readonly maxMessageBytes: number;
  /** With a secret key, session ids and tokens are HMAC-signed and unsigned or forged ones refused. */
  readonly signSessions: boolean;
  /** The shared secret (`PLOTHOST_SECRET_KEY`, make one with `plothost secret`); null when not set. */
  readonly secretKey: string | null;
  /** Where published documents live: `file` (default, under the data directory), `memory`, or `redis`. */
  readonly backend: "memory" | "file" | "redis";
  /** Redis for `--backend redis` (`REDIS_URL`). */
  readonly redisUrl: string;
  /** Prefix of every Redis key and channel plothost uses, so deployments (or test runs) can share a server. */
  readonly redisPrefix: string;
  /** Largest published document, and total per user, in bytes of the stored encoding. */
  readonly maxDocumentBytes: number;
  readonly maxUserBytes: number;
  /** Root of the plothost package: the worker's code and node_modules are read from here. */
  readonly projectRoot: string;
  /** Accounts (see gateway/src/auth): false = single-user mode, every request is `defaultuser`. */
  readonly multiUser: boolean;
  /** Whether people may create their own accounts in multi-user mode (admins always can). */
  readonly allowRegistration: boolean;
  /** Accounts database: `file:PATH` (SQLite, default under the data directory) or `postgresql://...`. */
  readonly databaseUrl: string;
  /** bcrypt cost factor for password hashes (12; tests use 4). */
  readonly bcryptCost: number;
  /** A module exporting `getUser(req)` and `loginUrl` that replaces the built-in login (implies multi-user). */
  readonly authModule: string | null;
  /** Always set the `Secure` cookie flag (for TLS terminated in front of plothost); otherwise only under TLS. */
  readonly secureCookies: boolean;
}

export const DEFAULT_PORT = 5006;
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** Derives an app's URL name from its file or directory name, as `bokeh serve` does. */
export function appNameFromPath(p: string): string {
  const base = path.basename(p.replace(/[/\\]+$/, ""));
  return base.replace(/\.(m?[jt]s)$/, "");
}

/** The accounts part of the config (flags and env vars of gateway/src/auth). */
function accountsConfig(r: Readers, values: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>) {
  const flag = (k: string) => values[k] as boolean | undefined;
  const authModule = (values["auth-module"] as string | undefined) ?? env.PLOTHOST_AUTH_MODULE ?? null;
  const multiUser = r.bool("--multi-user / PLOTHOST_MULTI_USER", flag("multi-user") ?? env.PLOTHOST_MULTI_USER, false) || authModule !== null;
  if (flag("allow-registration") && flag("no-allow-registration")) r.problems.push("--allow-registration and --no-allow-registration contradict each other");
  const registration = flag("allow-registration") ?? (flag("no-allow-registration") ? false : undefined) ?? env.PLOTHOST_ALLOW_REGISTRATION;
  const dataDir = path.resolve((values["data-directory"] as string | undefined) ?? env.PLOTHOST_DATA_DIR ?? ".plothost");
  const databaseUrl = (values["database-url"] as string | undefined) ?? env.DATABASE_URL ?? `file:${path.join(dataDir, "plothost.db")}`;
  if (!/^(file:.+|postgres(ql)?:\/\/.+)$/.test(databaseUrl)) {
    r.problems.push(`--database-url / DATABASE_URL must be file:PATH (SQLite) or postgresql://USER@HOST:PORT/DB (got "${databaseUrl.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1***@")}")`);
  }
  return {
    multiUser,
    allowRegistration: r.bool("--allow-registration / PLOTHOST_ALLOW_REGISTRATION", registration, true),
    databaseUrl,
    bcryptCost: r.int("--bcrypt-cost / PLOTHOST_BCRYPT_COST", (values["bcrypt-cost"] as string | undefined) ?? env.PLOTHOST_BCRYPT_COST, 12, 4, 31),
    authModule: authModule === null ? null : path.resolve(authModule),
    secureCookies: r.bool("--secure-cookies / PLOTHOST_SECURE_COOKIES", flag("secure-cookies") ?? env.PLOTHOST_SECURE_COOKIES, false),
  };
}

/**
 * Parses `plothost serve` flags and the environment.
 * @param argv the arguments after `serve`
 * @param env the process environment (passed in; never read elsewhere)
 * @param projectRoot where the plothost package lives
 */
export function parseGatewayConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, projectRoot: string): GatewayConfig {
  const r = new Readers();
  let values: Record<string, string | boolean | string[] | undefined> = {};
  let positionals: string[] = [];
  try {
    const parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        port: { type: "string", short: "p" },
        address: { type: "string" },
        "data-directory": { type: "string", short: "D" },
        dev: { type: "boolean" },
        "log-level": { type: "string" },
        sandbox: { type: "string" },
        "allow-websocket-origin": { type: "string", multiple: true },
        "worker-start-timeout": { type: "string" },
        "unused-session-lifetime": { type: "string" },
        "check-unused-sessions": { type: "string" },
        "keep-alive": { type: "string" },
        "session-token-expiration": { type: "string" },
        "websocket-max-message-size": { type: "string" },
        "sign-sessions": { type: "boolean" },
        backend: { type: "string" },
        "redis-url": { type: "string" },
        "redis-prefix": { type: "string" },
        "max-document-size": { type: "string" },
        "max-user-storage": { type: "string" },
        "multi-user": { type: "boolean", short: "m" },
        "allow-registration": { type: "boolean" },
        "no-allow-registration": { type: "boolean" },
        "database-url": { type: "string" },
        "bcrypt-cost": { type: "string" },
        "auth-module": { type: "string" },
        "secure-cookies": { type: "boolean" },
      },
    });
    values = parsed.values;
    positionals = parsed.positionals;
  } catch (err) {
    r.problems.push((err as Error).message);
  }
  const str = (k: string) => values[k] as string | undefined;

  const port = r.int("--port / PORT", str("port") ?? env.PLOTHOST_PORT ?? env.PORT, DEFAULT_PORT, 0, 65535);
  const apps = (positionals.length > 0 ? positionals : [path.join(projectRoot, "apps", "demo.ts")]).map((p) => ({
    name: appNameFromPath(p),
    path: path.resolve(p),
  }));
  const names = new Set<string>();
  for (const app of apps) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(app.name)) r.problems.push(`app name "${app.name}" (from ${app.path}) must be letters, digits, - or _`);
    if (names.has(app.name)) r.problems.push(`two apps are named "${app.name}"`);
    names.add(app.name);
    if (["static", "api", "admin", "ws"].includes(app.name)) r.problems.push(`app name "${app.name}" is reserved`);
  }

  const config: GatewayConfig = {
    port,
    address: str("address") ?? env.PLOTHOST_ADDRESS ?? "127.0.0.1",
    dataDir: path.resolve(str("data-directory") ?? env.PLOTHOST_DATA_DIR ?? ".plothost"),
    dev: r.bool("--dev / PLOTHOST_DEV", (values.dev as boolean | undefined) ?? env.PLOTHOST_DEV, false),
    logLevel: r.oneOf("--log-level / PLOTHOST_LOG_LEVEL", str("log-level") ?? env.PLOTHOST_LOG_LEVEL, LOG_LEVELS, "info"),
    sandbox: r.oneOf("--sandbox / PLOTHOST_SANDBOX", str("sandbox") ?? env.PLOTHOST_SANDBOX, ["auto", "bwrap", "plain"] as const, "auto"),
    apps,
    allowWebsocketOrigins: (values["allow-websocket-origin"] as string[] | undefined) ?? (env.PLOTHOST_ALLOW_WEBSOCKET_ORIGIN ?? "").split(",").filter(Boolean),
    workerStartTimeoutMs: r.int("--worker-start-timeout", str("worker-start-timeout"), 15_000, 100),
    unusedSessionLifetimeMs: r.int("--unused-session-lifetime", str("unused-session-lifetime"), 15_000, 1),
    checkUnusedSessionsMs: r.int("--check-unused-sessions", str("check-unused-sessions"), 17_000, 1),
    keepAliveMs: r.int("--keep-alive", str("keep-alive"), 37_000, 0),
    sessionTokenExpirationS: r.int("--session-token-expiration", str("session-token-expiration"), 300, 1),
    maxMessageBytes: r.int("--websocket-max-message-size", str("websocket-max-message-size"), 20 * 1024 * 1024, 1024),
    signSessions: r.bool("--sign-sessions / PLOTHOST_SIGN_SESSIONS", (values["sign-sessions"] as boolean | undefined) ?? env.PLOTHOST_SIGN_SESSIONS, false),
    secretKey: env.PLOTHOST_SECRET_KEY || null,
    backend: r.oneOf("--backend / PLOTHOST_BACKEND", str("backend") ?? env.PLOTHOST_BACKEND, ["memory", "file", "redis"] as const, "file"),
    redisUrl: str("redis-url") ?? env.REDIS_URL ?? "redis://127.0.0.1:6379",
    redisPrefix: str("redis-prefix") ?? env.PLOTHOST_REDIS_PREFIX ?? "plothost:",
    maxDocumentBytes: r.int("--max-document-size / PLOTHOST_MAX_DOCUMENT_SIZE", str("max-document-size") ?? env.PLOTHOST_MAX_DOCUMENT_SIZE, 64 * 1024 * 1024, 1024),
    maxUserBytes: r.int("--max-user-storage / PLOTHOST_MAX_USER_STORAGE", str("max-user-storage") ?? env.PLOTHOST_MAX_USER_STORAGE, 1024 * 1024 * 1024, 1024),
    projectRoot,
    ...accountsConfig(r, values, env),
  };
  if (config.signSessions && !config.secretKey) r.problems.push("--sign-sessions needs a secret key in PLOTHOST_SECRET_KEY (make one with `plothost secret`)");
  if (config.secretKey !== null && config.secretKey.length < 32) r.problems.push("PLOTHOST_SECRET_KEY must be at least 32 characters (make one with `plothost secret`)");
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return Object.freeze({ ...config, apps: Object.freeze(config.apps.map((a) => Object.freeze(a))) });
}
