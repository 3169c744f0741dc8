import path from "node:path";
import { parseArgs } from "node:util";
import { ConfigError } from "./config-error.ts";
import { Readers } from "./readers.ts";
import { listenConfig, withEnvFallbacks, type ListenConfig } from "./listen-config.ts";

/** How the gateway isolates workers: `auto` uses bubblewrap when it works and falls back loudly. */
export type SandboxPreference = "auto" | "bwrap" | "plain";

/** One app to serve: its URL name (`/<name>`) and the module that builds each session's document. */
export interface AppSpec {
  readonly name: string;
  readonly path: string;
  /** This app's worker limits where they differ from the admin's defaults (`GatewayConfig.workerLimits`). */
  readonly limits?: Partial<WorkerLimits>;
}

/** Resource limits of one app's worker (its whole sandbox), enforced by cgroups where the host has them. */
export interface WorkerLimits {
  /** RAM (+ swap) in MiB; above it the worker is OOM-killed and restarted. The V8 heap gets 3/4 of it. */
  readonly memoryMiB: number;
  /** Most tasks (processes and threads) at once; at least 64. */
  readonly pids: number;
  /** CPU time in percent of one core (100 = one core). */
  readonly cpuPercent: number;
}

/**
 * The gateway's whole configuration, validated once at start and frozen. Nothing else reads `process.env`.
 * Deliberately absent for now: accounts, storage backends, Redis (later issues add them here).
 */
export interface GatewayConfig extends ListenConfig {
  readonly port: number;
  readonly address: string;
  readonly dataDir: string;
  readonly dev: boolean;
  readonly logLevel: string;
  readonly sandbox: SandboxPreference;
  readonly apps: readonly AppSpec[];
  readonly allowWebsocketOrigins: readonly string[];
  readonly workerStartTimeoutMs: number;
  /** On SIGTERM/SIGINT: how long a graceful shutdown may take before the process exits anyway (`--shutdown-timeout`). */
  readonly shutdownTimeoutMs: number;
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
  /** Redis for `--backend redis` / `--job-queue redis`: `--redis-url` / `REDIS_URL`, else 127.0.0.1:`redisPort`. */
  readonly redisUrl: string;
  /** Whether `redisUrl` was given (then plothost never starts a Redis of its own). */
  readonly redisUrlGiven: boolean;
  /** Port of the Redis plothost uses when no URL is given (7001, as the old bokeh-server). */
  readonly redisPort: number;
  /** With no URL given and nothing answering on `redisPort`, start `redis-server` there (and stop it on exit). */
  readonly startRedis: boolean;
  /** Prefix of every Redis key and channel plothost uses, so deployments (or test runs) can share a server. */
  readonly redisPrefix: string;
  /** Largest published document, and total per user, in bytes of the stored encoding. */
  readonly maxDocumentBytes: number;
  readonly maxUserBytes: number;
  /** Published data sources with at least this many rows are stored once and sent downsampled per viewer (0: never). */
  readonly downsampleThresholdRows: number;
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
  // --- apps as tenants (gateway/src/apps) ---
  /** A worker with no sessions for this long is stopped, and started again by the next request (0 = never). */
  readonly workerIdleTimeoutMs: number;
  /** How often the supervisor asks each worker whether it answers; two misses kill it as hung (0 = never). */
  readonly workerHealthIntervalMs: number;
  /** Restart backoff after a crash: first delay, doubling up to the maximum. */
  readonly workerBackoffMs: number;
  readonly workerBackoffMaxMs: number;
  /** This many crashes within the window mark an app `crashed` (no more restarts until a new deploy). */
  readonly workerCrashLimit: number;
  readonly workerCrashWindowMs: number;
  /** Workers per deployed app: kept running at least, and started at most (a new session goes to the least loaded). */
  readonly appMinProcs: number;
  readonly appMaxProcs: number;
  /** Versions kept per deployed app (`--keep-versions`); a cleanup job removes older ones after each deploy. */
  readonly appKeepVersions: number;
  /** How long a replaced version's workers may keep serving their open sessions (`--drain-timeout`; 0: none). */
  readonly appDrainTimeoutMs: number;
  /** Where deploy jobs run: `local` (in-process queue) or `redis` (BullMQ on `redisUrl`). */
  readonly jobQueue: "local" | "redis";
  /** BullMQ key prefix (tests use a unique one). */
  readonly jobQueuePrefix: string;
  /** Largest app archive accepted (compressed), and largest unpacked app. */
  readonly maxArchiveBytes: number;
  readonly maxAppBytes: number;
  // --- the sandbox's resource limits and tenant uids (gateway/src/sandbox) ---
  /** Default limits of every app's worker (`--worker-memory-limit`, `--worker-pids-limit`, `--worker-cpu-percent`). */
  readonly workerLimits: WorkerLimits;
  /** Uids (gid = uid) handed out one per app when the gateway is root (`--worker-uid-range FIRST-LAST`). */
  readonly workerUidRange: { readonly first: number; readonly count: number };
  /**
   * The RSS/CPU watchdog, active where cgroups do not enforce the memory or CPU limit: sample every `intervalMs`
   * (`--worker-watchdog-interval`), CPU averaged over `cpuWindowMs` (`--worker-cpu-window`).
   */
  readonly workerWatchdog: { readonly intervalMs: number; readonly cpuWindowMs: number };
  /**
   * `--node-permission on|off`: run workers as a prebuilt JavaScript bundle under Node's permission model, with
   * fs allow-lists (gateway/src/worker-launch); off runs them from source through tsx, without the model.
   */
  readonly nodePermission: boolean;
  // --- worker hosts (gateway/src/runner) ---
  /** `--runners`: deployed apps' workers run on `plothost runner` hosts registered in Redis, not in this process's host. */
  readonly runners: boolean;
  /** The secret gateways and runners share (`--runner-secret` / PLOTHOST_RUNNER_SECRET); null when not set. */
  readonly runnerSecret: string | null;
  /** How often a runner renews its registration; it counts as dead after 3 missed beats (`--runner-heartbeat`). */
  readonly runnerHeartbeatMs: number;
  /** `plothost runner --advertise-address HOST`: the host gateways connect to (default: --address, or the hostname). */
  readonly advertiseAddress: string | null;
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

/** Which Redis to use, and whether plothost may start one itself. */
function redisConfig(r: Readers, values: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>) {
  const given = (values["redis-url"] as string | undefined) ?? env.REDIS_URL;
  const redisPort = r.int("--redis-port / PLOTHOST_REDIS_PORT", (values["redis-port"] as string | undefined) ?? env.PLOTHOST_REDIS_PORT, 7001, 1, 65535);
  if (values["start-redis"] && values["no-start-redis"]) r.problems.push("--start-redis and --no-start-redis contradict each other");
  const flag = values["start-redis"] ? true : values["no-start-redis"] ? false : undefined;
  return {
    redisUrl: given ?? `redis://127.0.0.1:${redisPort}`,
    redisUrlGiven: given !== undefined,
    redisPort,
    startRedis: r.bool("--start-redis / PLOTHOST_START_REDIS", flag ?? env.PLOTHOST_START_REDIS, true),
  };
}

/** The prefix of every Redis key plothost writes (`--redis-prefix`), so that several installations can share a Redis. */
function redisPrefixOf(values: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>): string {
  return (values["redis-prefix"] as string | undefined) ?? env.PLOTHOST_REDIS_PREFIX ?? "plothost:";
}

/** The deployed-apps part of the config (gateway/src/apps): supervision, job queue, archive limits. */
function appsConfig(r: Readers, values: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>) {
  const str = (k: string) => values[k] as string | undefined;
  const backend = str("backend") ?? env.PLOTHOST_BACKEND;
  const apps = {
    workerIdleTimeoutMs: r.int("--worker-idle-timeout", str("worker-idle-timeout"), 600_000, 0),
    workerHealthIntervalMs: r.int("--worker-health-interval", str("worker-health-interval"), 10_000, 0),
    workerBackoffMs: r.int("--worker-restart-backoff", str("worker-restart-backoff"), 1000, 1),
    workerBackoffMaxMs: r.int("--worker-restart-backoff-max", str("worker-restart-backoff-max"), 60_000, 1),
    workerCrashLimit: r.int("--worker-crash-limit", str("worker-crash-limit"), 5, 1),
    workerCrashWindowMs: r.int("--worker-crash-window", str("worker-crash-window"), 300_000, 1),
    appMinProcs: r.int("--min-procs", str("min-procs"), 0, 0, 64),
    appMaxProcs: r.int("--max-procs", str("max-procs"), 1, 1, 64),
    appKeepVersions: r.int("--keep-versions", str("keep-versions"), 10, 1, 10_000),
    appDrainTimeoutMs: r.int("--drain-timeout", str("drain-timeout"), 3_600_000, 0),
    jobQueue: r.oneOf("--job-queue / PLOTHOST_JOB_QUEUE", str("job-queue") ?? env.PLOTHOST_JOB_QUEUE, ["local", "redis"] as const, backend === "redis" || env.REDIS_URL ? "redis" : "local"),
    // Under the Redis prefix by default: installations sharing a Redis never run each other's deploy jobs.
    jobQueuePrefix: str("job-queue-prefix") ?? env.PLOTHOST_JOB_QUEUE_PREFIX ?? `${redisPrefixOf(values, env)}jobs`,
    maxArchiveBytes: r.int("--max-archive-size", str("max-archive-size"), 50 * 1024 * 1024, 1024),
    maxAppBytes: r.int("--max-app-size", str("max-app-size"), 200 * 1024 * 1024, 1024),
  };
  if (apps.appMinProcs > apps.appMaxProcs) r.problems.push(`--min-procs (${apps.appMinProcs}) must not exceed --max-procs (${apps.appMaxProcs})`);
  if (apps.workerBackoffMs > apps.workerBackoffMaxMs) r.problems.push("--worker-restart-backoff must not exceed --worker-restart-backoff-max");
  if (!/^[A-Za-z0-9:_-]+$/.test(apps.jobQueuePrefix)) r.problems.push(`--job-queue-prefix must be letters, digits, :, _ or - (got "${apps.jobQueuePrefix}")`);
  return apps;
}

/** The sandbox part of the config: default worker limits and the tenant uid range. */
function sandboxConfig(r: Readers, values: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>) {
  const str = (k: string) => values[k] as string | undefined;
  const workerLimits = {
    memoryMiB: r.int("--worker-memory-limit / PLOTHOST_WORKER_MEMORY_LIMIT (MiB)", str("worker-memory-limit") ?? env.PLOTHOST_WORKER_MEMORY_LIMIT, 1024, 64, 1024 * 1024),
    pids: r.int("--worker-pids-limit / PLOTHOST_WORKER_PIDS_LIMIT", str("worker-pids-limit") ?? env.PLOTHOST_WORKER_PIDS_LIMIT, 256, 64, 4_194_304),
    cpuPercent: r.int("--worker-cpu-percent / PLOTHOST_WORKER_CPU_PERCENT", str("worker-cpu-percent") ?? env.PLOTHOST_WORKER_CPU_PERCENT, 100, 1, 100_000),
  };
  const rawRange = str("worker-uid-range") ?? env.PLOTHOST_WORKER_UID_RANGE ?? "200000-299999";
  const match = /^(\d+)-(\d+)$/.exec(rawRange);
  const [first, last] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN];
  let workerUidRange = { first: 200_000, count: 100_000 };
  if (!(first >= 1000 && last >= first && last < 2 ** 31)) {
    r.problems.push(`--worker-uid-range / PLOTHOST_WORKER_UID_RANGE must be FIRST-LAST with 1000 <= FIRST <= LAST < 2^31 (got "${rawRange}")`);
  } else {
    workerUidRange = { first, count: last - first + 1 };
  }
  const workerWatchdog = {
    intervalMs: r.int("--worker-watchdog-interval / PLOTHOST_WORKER_WATCHDOG_INTERVAL (ms)", str("worker-watchdog-interval") ?? env.PLOTHOST_WORKER_WATCHDOG_INTERVAL, 1000, 50, 60_000),
    cpuWindowMs: r.int("--worker-cpu-window / PLOTHOST_WORKER_CPU_WINDOW (ms)", str("worker-cpu-window") ?? env.PLOTHOST_WORKER_CPU_WINDOW, 10_000, 100, 3_600_000),
  };
  if (workerWatchdog.cpuWindowMs < workerWatchdog.intervalMs) r.problems.push("--worker-cpu-window must be at least --worker-watchdog-interval");
  const nodePermission = r.oneOf("--node-permission / PLOTHOST_NODE_PERMISSION", str("node-permission") ?? env.PLOTHOST_NODE_PERMISSION, ["on", "off"] as const, "on") === "on";
  return {
    workerLimits: Object.freeze(workerLimits), workerUidRange: Object.freeze(workerUidRange), workerWatchdog: Object.freeze(workerWatchdog),
    nodePermission,
  };
}

/** The worker-hosts part of the config (gateway/src/runner): `--runners`, the shared secret, the heartbeat. */
function runnersConfig(r: Readers, values: Record<string, unknown>, env: Readonly<Record<string, string | undefined>>) {
  const str = (k: string) => values[k] as string | undefined;
  const runners = r.bool("--runners / PLOTHOST_RUNNERS", (values.runners as boolean | undefined) ?? env.PLOTHOST_RUNNERS, false);
  const runnerSecret = str("runner-secret") ?? env.PLOTHOST_RUNNER_SECRET ?? null;
  if (runnerSecret !== null && runnerSecret.length < 32) r.problems.push("--runner-secret / PLOTHOST_RUNNER_SECRET must be at least 32 characters (make one with `plothost secret`)");
  if (runners && runnerSecret === null) r.problems.push("--runners needs the secret the runners were started with: --runner-secret or PLOTHOST_RUNNER_SECRET (make one with `plothost secret`)");
  return {
    runners, runnerSecret,
    runnerHeartbeatMs: r.int("--runner-heartbeat / PLOTHOST_RUNNER_HEARTBEAT (ms)", str("runner-heartbeat") ?? env.PLOTHOST_RUNNER_HEARTBEAT, 2000, 100, 60_000),
    advertiseAddress: str("advertise-address") ?? env.PLOTHOST_ADVERTISE_ADDRESS ?? null,
  };
}

/** Every `plothost serve` flag; each is also read from `PLOTHOST_<FLAG>` when not given (see withEnvFallbacks). */
export const SERVE_OPTIONS = {
  port: { type: "string", short: "p" },
  address: { type: "string" },
  "data-directory": { type: "string", short: "D" },
  dev: { type: "boolean" },
  "log-level": { type: "string" },
  sandbox: { type: "string" },
  "allow-websocket-origin": { type: "string", multiple: true },
  "worker-start-timeout": { type: "string" },
  "shutdown-timeout": { type: "string" },
  "unused-session-lifetime": { type: "string" },
  "check-unused-sessions": { type: "string" },
  "keep-alive": { type: "string" },
  "session-token-expiration": { type: "string" },
  "websocket-max-message-size": { type: "string" },
  "sign-sessions": { type: "boolean" },
  backend: { type: "string" },
  "redis-url": { type: "string" },
  "redis-prefix": { type: "string" },
  "redis-port": { type: "string" },
  "start-redis": { type: "boolean" },
  "no-start-redis": { type: "boolean" },
  "max-document-size": { type: "string" },
  "max-user-storage": { type: "string" },
  "downsample-threshold": { type: "string" },
  "multi-user": { type: "boolean", short: "m" },
  "allow-registration": { type: "boolean" },
  "no-allow-registration": { type: "boolean" },
  "database-url": { type: "string" },
  "bcrypt-cost": { type: "string" },
  "auth-module": { type: "string" },
  "secure-cookies": { type: "boolean" },
  "worker-idle-timeout": { type: "string" },
  "worker-health-interval": { type: "string" },
  "worker-restart-backoff": { type: "string" },
  "worker-restart-backoff-max": { type: "string" },
  "worker-crash-limit": { type: "string" },
  "worker-crash-window": { type: "string" },
  "min-procs": { type: "string" },
  "max-procs": { type: "string" },
  "keep-versions": { type: "string" },
  "drain-timeout": { type: "string" },
  "job-queue": { type: "string" },
  "job-queue-prefix": { type: "string" },
  "max-archive-size": { type: "string" },
  "max-app-size": { type: "string" },
  "worker-memory-limit": { type: "string" },
  "worker-pids-limit": { type: "string" },
  "worker-cpu-percent": { type: "string" },
  "worker-uid-range": { type: "string" },
  "worker-watchdog-interval": { type: "string" },
  "node-permission": { type: "string" },
  "worker-cpu-window": { type: "string" },
  runners: { type: "boolean" },
  "runner-secret": { type: "string" },
  "runner-heartbeat": { type: "string" },
  "advertise-address": { type: "string" },
  // bokeh serve's network flags (shared/config/listen-config.ts) and the old bokeh-server's --script
  ip: { type: "string" },
  "url-prefix": { type: "string" },
  "ssl-certfile": { type: "string" },
  "ssl-keyfile": { type: "string" },
  "unix-socket": { type: "string" },
  "use-xheaders": { type: "boolean" },
  "num-procs": { type: "string" },
  show: { type: "boolean" },
  "disable-index": { type: "boolean" },
  "disable-index-redirect": { type: "boolean" },
  "http-headers-timeout": { type: "string" },
  "http-request-timeout": { type: "string" },
  script: { type: "string", multiple: true },
} as const satisfies Record<string, { type: "string" | "boolean"; short?: string; multiple?: boolean }>;

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
      options: SERVE_OPTIONS,
    });
    values = withEnvFallbacks(parsed.values, SERVE_OPTIONS, env) as typeof values;
    positionals = parsed.positionals;
  } catch (err) {
    r.problems.push((err as Error).message);
  }
  const str = (k: string) => values[k] as string | undefined;

  const port = r.int("--port / PORT", str("port") ?? env.PLOTHOST_PORT ?? env.PORT, DEFAULT_PORT, 0, 65535);
  const given = [...positionals, ...((values.script as string[] | undefined) ?? [])];
  if (given.length === 0) given.push(...(env.PLOTHOST_APPS ?? "").split(",").map((a) => a.trim()).filter(Boolean));
  const apps = (given.length > 0 ? given : [path.join(projectRoot, "apps", "demo.ts")]).map((p) => ({
    name: appNameFromPath(p),
    path: path.resolve(p),
  }));
  const names = new Set<string>();
  for (const app of apps) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(app.name)) r.problems.push(`app name "${app.name}" (from ${app.path}) must be letters, digits, - or _`);
    if (names.has(app.name)) r.problems.push(`two apps are named "${app.name}"`);
    names.add(app.name);
    if (["static", "api", "admin", "ws", "doc", "s", "login", "logout", "register"].includes(app.name)) r.problems.push(`app name "${app.name}" is reserved`);
  }

  const config: GatewayConfig = {
    port,
    address: (values["ip:given"] && !values["address:given"] ? str("ip") : str("address") ?? str("ip")) ?? "127.0.0.1",
    dataDir: path.resolve(str("data-directory") ?? env.PLOTHOST_DATA_DIR ?? ".plothost"),
    dev: r.bool("--dev / PLOTHOST_DEV", (values.dev as boolean | undefined) ?? env.PLOTHOST_DEV, false),
    logLevel: r.oneOf("--log-level / PLOTHOST_LOG_LEVEL", str("log-level") ?? env.PLOTHOST_LOG_LEVEL, LOG_LEVELS, "info"),
    sandbox: r.oneOf("--sandbox / PLOTHOST_SANDBOX", str("sandbox") ?? env.PLOTHOST_SANDBOX, ["auto", "bwrap", "plain"] as const, "auto"),
    apps,
    allowWebsocketOrigins: (values["allow-websocket-origin"] as string[] | undefined) ?? (env.PLOTHOST_ALLOW_WEBSOCKET_ORIGIN ?? "").split(",").filter(Boolean),
    workerStartTimeoutMs: r.int("--worker-start-timeout", str("worker-start-timeout"), 15_000, 100),
    shutdownTimeoutMs: r.int("--shutdown-timeout", str("shutdown-timeout"), 10_000, 100),
    unusedSessionLifetimeMs: r.int("--unused-session-lifetime", str("unused-session-lifetime"), 15_000, 1),
    checkUnusedSessionsMs: r.int("--check-unused-sessions", str("check-unused-sessions"), 17_000, 1),
    keepAliveMs: r.int("--keep-alive", str("keep-alive"), 37_000, 0),
    sessionTokenExpirationS: r.int("--session-token-expiration", str("session-token-expiration"), 300, 1),
    maxMessageBytes: r.int("--websocket-max-message-size", str("websocket-max-message-size"), 20 * 1024 * 1024, 1024),
    signSessions: r.bool("--sign-sessions / PLOTHOST_SIGN_SESSIONS", (values["sign-sessions"] as boolean | undefined) ?? env.PLOTHOST_SIGN_SESSIONS, false),
    secretKey: env.PLOTHOST_SECRET_KEY || null,
    backend: r.oneOf("--backend / PLOTHOST_BACKEND", str("backend") ?? env.PLOTHOST_BACKEND, ["memory", "file", "redis"] as const, "file"),
    ...redisConfig(r, values, env),
    redisPrefix: redisPrefixOf(values, env),
    maxDocumentBytes: r.int("--max-document-size / PLOTHOST_MAX_DOCUMENT_SIZE", str("max-document-size") ?? env.PLOTHOST_MAX_DOCUMENT_SIZE, 64 * 1024 * 1024, 1024),
    maxUserBytes: r.int("--max-user-storage / PLOTHOST_MAX_USER_STORAGE", str("max-user-storage") ?? env.PLOTHOST_MAX_USER_STORAGE, 1024 * 1024 * 1024, 1024),
    downsampleThresholdRows: r.int("--downsample-threshold / PLOTHOST_DOWNSAMPLE_THRESHOLD", str("downsample-threshold") ?? env.PLOTHOST_DOWNSAMPLE_THRESHOLD, 100_000, 0),
    projectRoot,
    ...accountsConfig(r, values, env),
    ...appsConfig(r, values, env),
    ...sandboxConfig(r, values, env),
    ...runnersConfig(r, values, env),
    ...listenConfig(r, values, env, str("backend") ?? env.PLOTHOST_BACKEND ?? "file"),
  };
  if (values["address:given"] && values["ip:given"] && str("address") !== str("ip")) r.problems.push("--ip is another name for --address: give one of them");
  if (config.signSessions && !config.secretKey) r.problems.push("--sign-sessions needs a secret key in PLOTHOST_SECRET_KEY (make one with `plothost secret`)");
  if (config.secretKey !== null && config.secretKey.length < 32) r.problems.push("PLOTHOST_SECRET_KEY must be at least 32 characters (make one with `plothost secret`)");
  if (config.runners && config.backend !== "redis") r.problems.push("--runners needs --backend redis (runners, their sessions and the gateways meet in Redis; add --backend redis with --redis-url URL or REDIS_URL)");
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return Object.freeze({ ...config, apps: Object.freeze(config.apps.map((a) => Object.freeze(a))) });
}
