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
  /** Root of the plothost package: the worker's code and node_modules are read from here. */
  readonly projectRoot: string;
}

export const DEFAULT_PORT = 5006;
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** Derives an app's URL name from its file or directory name, as `bokeh serve` does. */
export function appNameFromPath(p: string): string {
  const base = path.basename(p.replace(/[/\\]+$/, ""));
  return base.replace(/\.(m?[jt]s)$/, "");
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
    projectRoot,
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return Object.freeze({ ...config, apps: Object.freeze(config.apps.map((a) => Object.freeze(a))) });
}
