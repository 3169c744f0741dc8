import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Readers } from "./readers.ts";

/**
 * How `plothost serve` listens and presents itself: `bokeh serve`'s network flags (`--ip`, `--url-prefix`,
 * `--ssl-certfile/--ssl-keyfile`, `--unix-socket`, `--use-xheaders`, `--num-procs`, `--show`, `--disable-index`,
 * `--disable-index-redirect`). `--num-procs` above 1 (several gateway processes sharing the port, see
 * gateway/src/cluster) needs `--backend redis`: documents and the app-session registry live in Redis.
 */
export interface ListenConfig {
  /** Everything (pages, BokehJS, WebSockets, the API) is served under this path: "" or "/like/this". */
  readonly urlPrefix: string;
  /** HTTPS with this PEM certificate (chain) and key; null = plain HTTP. */
  readonly tls: { readonly certFile: string; readonly keyFile: string } | null;
  /** Listen on this Unix socket instead of `address:port`. */
  readonly unixSocket: string | null;
  /** Trust `X-Forwarded-Proto/-For/-Host` from a proxy in front (links, client IPs and origin checks use them). */
  readonly useXheaders: boolean;
  /** Gateway processes sharing the listening port (node:cluster); above 1 only with `--backend redis`. */
  readonly numProcs: number;
  /** Open the served URL in a browser once listening. */
  readonly show: boolean;
  /** No page at `/` (404). */
  readonly disableIndex: boolean;
  /** With one app, show the index page at `/` instead of redirecting to the app. */
  readonly disableIndexRedirect: boolean;
  /**
   * A client must finish sending a request's headers (WebSocket upgrades included) within this many ms, else its
   * connection is dropped (408): slowloris-style clients cannot hold sockets open by trickling header bytes.
   */
  readonly headersTimeoutMs: number;
  /** A client must finish sending a whole request (headers and body) within this many ms (408). */
  readonly requestTimeoutMs: number;
}

type Values = Record<string, unknown>;
type Env = Readonly<Record<string, string | undefined>>;

/** Reads and checks the listening part of `plothost serve`'s flags (env fallbacks are already merged in). */
export function listenConfig(r: Readers, values: Values, env: Env, backend: string): ListenConfig {
  const str = (k: string) => values[k] as string | undefined;
  const bool = (k: string) => r.bool(`--${k} / ${envName(k)}`, (values[k] as boolean | undefined) ?? env[envName(k)], false);

  const rawPrefix = (str("url-prefix") ?? "").trim();
  const urlPrefix = rawPrefix === "" || rawPrefix === "/" ? "" : `/${rawPrefix.replace(/^\/+|\/+$/g, "")}`;
  if (urlPrefix !== "" && !/^(\/[A-Za-z0-9._~-]+)+$/.test(urlPrefix)) {
    r.problems.push(`--url-prefix / PLOTHOST_URL_PREFIX must be path segments of letters, digits, ., _, ~ or - (got "${rawPrefix}")`);
  }

  const certFile = str("ssl-certfile");
  const keyFile = str("ssl-keyfile");
  let tls: ListenConfig["tls"] = null;
  if ((certFile === undefined) !== (keyFile === undefined)) {
    r.problems.push("--ssl-certfile and --ssl-keyfile go together: give both (PEM files) for HTTPS, or neither");
  } else if (certFile !== undefined && keyFile !== undefined) {
    for (const [flag, file] of [["--ssl-certfile", certFile], ["--ssl-keyfile", keyFile]] as const) {
      if (!fs.existsSync(file)) r.problems.push(`${flag}: no such file: ${file}`);
    }
    tls = { certFile: path.resolve(certFile), keyFile: path.resolve(keyFile) };
  }

  const unixSocket = str("unix-socket") ? path.resolve(str("unix-socket")!) : null;
  if (unixSocket !== null) {
    if (tls) r.problems.push("--unix-socket cannot be combined with --ssl-certfile/--ssl-keyfile (terminate TLS in the proxy in front)");
    for (const flag of ["port", "address"]) {
      if (values[`${flag}:given`]) r.problems.push(`--unix-socket replaces --${flag}: give one or the other`);
    }
    if (Buffer.byteLength(unixSocket) > 107) r.problems.push(`--unix-socket path is too long for a socket (at most 107 bytes): ${unixSocket}`);
  }

  let numProcs = r.int("--num-procs / PLOTHOST_NUM_PROCS", str("num-procs"), 1, 0, 1024);
  if (numProcs === 0) numProcs = os.availableParallelism();
  if (numProcs > 1 && backend !== "redis") {
    r.problems.push(`--num-procs ${numProcs} needs shared state: several gateway processes only work with --backend redis (published documents and app sessions are shared through Redis; add --backend redis, with --redis-url URL or REDIS_URL); or run with --num-procs 1 (the default)`);
  }

  const headersTimeoutMs = r.int("--http-headers-timeout / PLOTHOST_HTTP_HEADERS_TIMEOUT (ms)", str("http-headers-timeout"), 20_000, 100);
  const requestTimeoutMs = r.int("--http-request-timeout / PLOTHOST_HTTP_REQUEST_TIMEOUT (ms)", str("http-request-timeout"), 300_000, 100);
  if (requestTimeoutMs < headersTimeoutMs) r.problems.push("--http-request-timeout must be at least --http-headers-timeout (the headers are part of the request)");

  return {
    urlPrefix,
    tls,
    unixSocket,
    useXheaders: bool("use-xheaders"),
    numProcs,
    show: bool("show"),
    disableIndex: bool("disable-index"),
    disableIndexRedirect: bool("disable-index-redirect"),
    headersTimeoutMs,
    requestTimeoutMs,
  };
}

/**
 * Fills in every valued flag not given on the command line from `PLOTHOST_<FLAG>` (`--url-prefix` ←
 * PLOTHOST_URL_PREFIX), so each `plothost serve` flag can also come from the environment; repeatable flags take a
 * comma list. Boolean flags are left to their readers, which take `PLOTHOST_<FLAG>` as 1/0 (`--no-*` flags have no
 * variable of their own: their positive flag's takes 0). Marks flags given on the command line as `<name>:given`.
 */
export function withEnvFallbacks(
  values: Values, options: Readonly<Record<string, { type: "string" | "boolean"; multiple?: boolean }>>, env: Env,
): Values {
  const out: Values = { ...values };
  for (const [name, opt] of Object.entries(options)) {
    if (values[name] !== undefined) {
      out[`${name}:given`] = true;
      continue;
    }
    if (opt.type === "boolean") continue;
    const raw = env[envName(name)];
    if (raw === undefined || raw === "") continue;
    out[name] = opt.multiple ? raw.split(",").map((s) => s.trim()).filter(Boolean) : raw;
  }
  return out;
}

/** The environment variable of a flag: `--url-prefix` → `PLOTHOST_URL_PREFIX`. */
export const envName = (flag: string): string => `PLOTHOST_${flag.replace(/-/g, "_").toUpperCase()}`;
