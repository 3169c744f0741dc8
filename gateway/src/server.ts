import path from "node:path";
import http from "node:http";
import { fileURLToPath } from "node:url";
import type express from "express";
import { parseGatewayConfig, type GatewayConfig } from "../../shared/config/index.ts";
import { ConfigError } from "../../shared/config/config-error.ts";
import { createLogger, type Logger } from "../../shared/logging/create-logger.ts";
import { createGateway, type Gateway } from "./app.ts";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * Options of the programmatic server: the `plothost serve` flags in camelCase (`allowWebsocketOrigin`,
 * `unusedSessionLifetime`, ...), plus `apps` as a map from URL path to module, like bokeh's `Server({"/x": app})`.
 * The environment is not read: pass `secretKey` explicitly.
 */
export interface ServerOptions {
  apps: Readonly<Record<string, string>>;
  port?: number;
  address?: string;
  dataDirectory?: string;
  dev?: boolean;
  logLevel?: string;
  sandbox?: "auto" | "bwrap" | "plain";
  allowWebsocketOrigin?: readonly string[];
  workerStartTimeout?: number;
  unusedSessionLifetime?: number;
  checkUnusedSessions?: number;
  keepAlive?: number;
  sessionTokenExpiration?: number;
  websocketMaxMessageSize?: number;
  signSessions?: boolean;
  secretKey?: string;
  /** bokeh serve's network flags: `urlPrefix: "/viz"`, `sslCertfile`/`sslKeyfile`, `unixSocket`, `useXheaders`, ... */
  urlPrefix?: string;
  sslCertfile?: string;
  sslKeyfile?: string;
  unixSocket?: string;
  useXheaders?: boolean;
  disableIndex?: boolean;
  disableIndexRedirect?: boolean;
  /** A pino logger to use (default: a new one at `logLevel`). */
  logger?: Logger;
}

const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** Turns ServerOptions into the CLI's config, so both paths share one parser and one set of checks. */
export function serverOptionsToConfig(opts: ServerOptions): GatewayConfig {
  const args: string[] = [];
  for (const [key, value] of Object.entries(opts)) {
    if (["apps", "logger", "secretKey", "dataDirectory"].includes(key) || value === undefined) continue;
    if (typeof value === "boolean") {
      if (value) args.push(`--${kebab(key)}`);
    } else if (Array.isArray(value)) for (const v of value) args.push(`--${kebab(key)}`, String(v));
    else args.push(`--${kebab(key)}`, String(value));
  }
  if (opts.dataDirectory) args.push("--data-directory", opts.dataDirectory);
  const entries = Object.entries(opts.apps);
  if (entries.length === 0) throw new ConfigError(["apps must name at least one app, e.g. { \"/sliders\": \"./apps/sliders.ts\" }"]);
  args.push(...entries.map(([, file]) => path.resolve(file)));
  const base = parseGatewayConfig(args, opts.secretKey ? { PLOTHOST_SECRET_KEY: opts.secretKey } : {}, projectRoot);
  const apps = entries.map(([urlPath, file]) => ({ name: urlPath.replace(/^\/+|\/+$/g, ""), path: path.resolve(file) }));
  const bad = apps.filter((a) => !/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(a.name)).map((a) => `app path "/${a.name}" must be one segment of letters, digits, - or _`);
  if (bad.length > 0) throw new ConfigError(bad);
  return Object.freeze({ ...base, apps: Object.freeze(apps.map((a) => Object.freeze(a))) });
}

/**
 * plothost as a library: `new Server({apps: {"/sliders": "./sliders.ts"}, port: 0})`, `await start()`,
 * `address`, `await stop()`. Or mount it in an existing express app with `attach(httpServer, app, "/viz")`.
 * Apps still run in sandboxed worker processes, never in the caller's process.
 */
export class Server {
  private gateway: Gateway | null = null;
  private detach: (() => void) | null = null;
  private bound: { port: number; url: string } | null = null;
  readonly config: GatewayConfig;
  private readonly logger: Logger;

  constructor(opts: ServerOptions) {
    this.config = serverOptionsToConfig(opts);
    this.logger = opts.logger ?? createLogger({ level: this.config.logLevel, name: "plothost" });
  }

  /** The bound port and URL once started with `start()`; null before, or when attached to another server. */
  get address(): { port: number; url: string } | null {
    return this.bound;
  }

  /** Listens on its own HTTP server (`port`, `address`). */
  async start(): Promise<void> {
    if (this.gateway) throw new Error("plothost Server already started");
    this.gateway = await createGateway(this.config, this.logger);
    this.bound = await this.gateway.listen();
  }

  /**
   * Mounts plothost in an existing express app at `mount` and routes the host server's WebSocket upgrades under it:
   * apps are then served at `<mount>/<app>`, BokehJS at `<mount>/static/js/`.
   */
  async attach(httpServer: http.Server, app: express.Express, mount: string): Promise<void> {
    if (this.gateway) throw new Error("plothost Server already started");
    this.gateway = await createGateway(this.config, this.logger);
    app.use(mount, this.gateway.app);
    this.detach = this.gateway.attach(httpServer, mount);
  }

  /** Stops every worker and closes what `start()` opened (a host server given to `attach` stays open). */
  async stop(): Promise<void> {
    const gw = this.gateway;
    this.gateway = null;
    this.bound = null;
    this.detach?.();
    this.detach = null;
    await gw?.close();
  }
}
