/**
 * The `plothost` command. `serve` starts the gateway (composition root in app.ts); later issues add more
 * commands. Usage errors print a message and exit with code 2.
 */
import path from "node:path";
import cluster from "node:cluster";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { parseGatewayConfig, ConfigError } from "../../shared/config/index.ts";
import { createLogger } from "../../shared/logging/create-logger.ts";
// The gateway and the database are imported when a command needs them, so client commands start fast.
import { CLIENT_USAGE, isClientCommand, runClientCommand } from "./cli/client-cli.ts";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

const USAGE = `Usage: plothost <command> [options]

Commands:
  serve [APP ...]     Serve apps (.ts/.js modules or directory apps; also --script APP, env PLOTHOST_APPS=a,b).
                      Without APP, serves the demo app at /demo.
  runner              Run deployed apps' workers for gateways started with --runners (a worker host; see below).
  secret              Print a new random secret key for PLOTHOST_SECRET_KEY (used with --sign-sessions).
  admin create USER   Create an admin account (password from stdin); also: admin reset-password USER.

Options for serve:
  -p, --port N                     Port to listen on (env PORT or PLOTHOST_PORT; default 5006; 0 = any free port)
      --address ADDR, --ip ADDR    Address to bind (env PLOTHOST_ADDRESS; default 127.0.0.1)
      --url-prefix PATH            Serve everything (pages, BokehJS, WebSockets, API) under PATH, e.g. /viz (default none)
      --ssl-certfile FILE          HTTPS with this PEM certificate (chain) ...
      --ssl-keyfile FILE           ... and this PEM private key (default: plain HTTP)
      --unix-socket PATH           Listen on a Unix socket instead of --address/--port (default: TCP)
      --use-xheaders               Trust X-Forwarded-Proto/-For/-Host from a proxy in front (default off)
      --num-procs N                Gateway processes sharing the port, 0 = one per CPU; above 1 needs --backend redis
                                   (default 1)
      --show                       Open the app (or the index) in a browser once listening (BROWSER, or
                                   xdg-open with a DISPLAY; default off)
      --disable-index              No index page at / (default: an index listing the apps)
      --disable-index-redirect     With one app, show the index at / instead of redirecting to the app
      --script APP                 Another app to serve, as a positional APP (repeatable; the old bokeh-server's name)
  -D, --data-directory DIR         Data directory (env PLOTHOST_DATA_DIR; default ./.plothost)
      --dev                        Show app stack traces in error pages (env PLOTHOST_DEV=1)
      --log-level LEVEL            fatal|error|warn|info|debug|trace|silent (env PLOTHOST_LOG_LEVEL; default info)
      --sandbox MODE               auto|bwrap|plain (env PLOTHOST_SANDBOX; default auto)
      --allow-websocket-origin H   Allow WebSocket connections from origin host H[:PORT] (repeatable; default: same host)
      --worker-start-timeout MS    A worker not ready after MS is killed as hung (default 15000)
      --shutdown-timeout MS        On SIGTERM: stop taking sessions, close them with "going away", flush storage;
                                   exit (code 1) if that takes longer than MS (env PLOTHOST_SHUTDOWN_TIMEOUT; default 10000)
      --unused-session-lifetime MS Destroy sessions unused for MS (default 15000)
      --check-unused-sessions MS   How often to look for unused sessions (default 17000)
      --keep-alive MS              WebSocket ping interval, 0 = off (default 37000)
      --session-token-expiration S Seconds a session token is valid for connecting (default 300)
      --websocket-max-message-size BYTES  (default 20971520)
      --sign-sessions              Require session ids and tokens signed with PLOTHOST_SECRET_KEY (env PLOTHOST_SIGN_SESSIONS=1)
      --http-headers-timeout MS    Drop a client that has not sent a request's headers within MS (default 20000)
      --http-request-timeout MS    Drop a client that has not sent a whole request within MS (default 300000)
      --backend memory|file|redis  Where published documents live (env PLOTHOST_BACKEND; default file)
      --redis-url URL              Redis to use (env REDIS_URL; default redis://127.0.0.1:REDIS_PORT)
      --redis-port N               Port of the Redis plothost uses or starts when no URL is given (default 7001)
      --start-redis                With no URL and nothing answering on --redis-port, start redis-server (the default;
      --no-start-redis             env PLOTHOST_START_REDIS=0 turns it off)
      --redis-prefix P             Prefix of plothost's Redis keys and channels (default plothost:)
      --max-document-size BYTES    Largest published document (default 67108864)
      --max-user-storage BYTES     Published documents per user in total (default 1073741824)
      --downsample-threshold ROWS  Published data sources with this many rows are sent downsampled per viewer,
                                   0 = never (default 100000)
  -m, --multi-user                 Accounts: every page and API call needs a login (env PLOTHOST_MULTI_USER=1;
                                   default: single-user, everyone is defaultuser)
      --allow-registration         Let people register themselves in multi-user mode (the default;
      --no-allow-registration      env PLOTHOST_ALLOW_REGISTRATION=0 turns it off)
      --database-url URL           Accounts database: file:PATH or postgresql://... (env DATABASE_URL;
                                   default file:DATA_DIR/plothost.db)
      --bcrypt-cost N              bcrypt cost for password hashes (env PLOTHOST_BCRYPT_COST; default 12)
      --auth-module PATH           Module exporting getUser(req) and loginUrl: your own login (implies -m)
      --secure-cookies             Always mark cookies Secure (TLS terminated in front; env PLOTHOST_SECURE_COOKIES=1)
      --worker-idle-timeout MS     Stop a worker without sessions after MS, 0 = never (default 600000)
      --worker-health-interval MS  Ask workers whether they answer every MS; two misses kill one as hung, 0 = off (default 10000)
      --worker-restart-backoff MS  First restart delay after a crash, doubling per crash (default 1000)
      --worker-restart-backoff-max MS  Longest restart delay (default 60000)
      --worker-crash-limit N       Crashes within the crash window that mark an app crashed (default 5)
      --worker-crash-window MS     (default 300000)
      --min-procs N, --max-procs N Workers per deployed app (default 0 and 1)
      --keep-versions N            Versions kept per deployed app; older ones are removed after a deploy (default 10)
      --drain-timeout MS           How long a replaced version keeps serving its open sessions, 0 = close them at
                                   once (default 3600000)
      --job-queue local|redis      Where deploy jobs run: in-process, or BullMQ on --redis-url (env PLOTHOST_JOB_QUEUE;
                                   default redis with --backend redis or REDIS_URL, else local)
      --job-queue-prefix P         BullMQ key prefix (default: the --redis-prefix + "jobs", plothost:jobs)
      --max-archive-size BYTES     Largest app archive accepted by POST /api/v1/apps (default 52428800)
      --max-app-size BYTES         Largest unpacked app (default 209715200)
      --worker-memory-limit MIB    Memory of each app's worker, cgroup-enforced (default 1024)
      --worker-pids-limit N        Processes + threads per worker, at least 64 (default 256)
      --worker-cpu-percent P       CPU per worker in percent of one core (default 100)
      --worker-uid-range A-B       As root, each app runs as its own uid from this range (default 200000-299999)
      --worker-watchdog-interval MS  Without cgroup limits: sample each worker's RSS and CPU every MS and kill one
                                   over its limits (default 1000)
      --worker-cpu-window MS       Without cgroup limits: the CPU limit holds for the average over MS (default 10000)
      --node-permission on|off     Run workers as a JavaScript bundle under Node's permission model with fs
                                   allow-lists (default on); off runs them from source through tsx

Options for runner (and serve's worker, sandbox, Redis and --data-directory flags, which apply to its workers):
      --redis-url URL              The Redis the gateways use (env REDIS_URL); --redis-prefix and --job-queue-prefix
                                   must match theirs
      --runner-secret S            Shared with the gateways (env PLOTHOST_RUNNER_SECRET; make one with plothost secret)
  -p, --port N                     TCP port gateways connect to (default 0: any free port; the runner registers it)
      --address ADDR               Address to bind (default 127.0.0.1; 0.0.0.0 to serve gateways on other hosts)
      --advertise-address HOST     The host gateways connect to (default --address, or this host's name for 0.0.0.0)
      --runner-heartbeat MS        How often the runner renews its registration; 3 missed beats and gateways count
                                   it as dead (default 2000; gateways take the same flag)
Options for serve with runners:
      --runners                    Run deployed apps' workers on runners (plothost runner) instead of here; needs
                                   --backend redis and --runner-secret (env PLOTHOST_RUNNERS=1)

Every serve flag can also come from the environment as PLOTHOST_<FLAG> (PLOTHOST_URL_PREFIX=/viz,
PLOTHOST_USE_XHEADERS=1, PLOTHOST_ALLOW_WEBSOCKET_ORIGIN=a.example,b.example); a flag on the command line wins.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    process.stdout.write(`${USAGE}\n${CLIENT_USAGE}`);
    return command === undefined ? 2 : 0;
  }
  if (command === "--version" || command === "-V") {
    const { default: pkg } = await import("../../package.json", { with: { type: "json" } });
    process.stdout.write(`plothost ${pkg.version}\n`);
    return 0;
  }
  if (command === "secret") {
    // Like `bokeh secret`: a new random key for PLOTHOST_SECRET_KEY (--sign-sessions).
    if (rest.length > 0) {
      process.stderr.write(`plothost: secret takes no arguments (got ${rest.join(" ")}). Usage: plothost secret > key.txt\n`);
      return 2;
    }
    process.stdout.write(`${randomBytes(32).toString("base64url")}\n`);
    return 0;
  }
  if (isClientCommand(command, rest)) return runClientCommand(command, rest, process.env);
  if (command === "admin") {
    try {
      const { runAdminCommand } = await import("./auth/admin-cli.ts");
      return await runAdminCommand(rest, process.env, projectRoot);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      process.stderr.write(`plothost: ${err.message}\n`);
      return 2;
    }
  }
  if (command === "serve" && rest.some((a) => a === "--help" || a === "-h")) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command === "runner") return runRunner(rest);
  if (command !== "serve") {
    process.stderr.write(`plothost: unknown command "${command}". Run \`plothost --help\` to see the commands.\n`);
    return 2;
  }
  let config;
  try {
    config = parseGatewayConfig(rest, process.env, projectRoot);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`plothost: ${err.message}\nRun \`plothost --help\` for the options.\n`);
      return 2;
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel, name: "gateway" });
  // --num-procs N: this process only supervises N gateway processes (gateway/src/cluster), each running the rest.
  const inCluster = config.numProcs > 1;
  if (inCluster && cluster.isPrimary) {
    const { runClusterPrimary } = await import("./cluster/cluster-primary.ts");
    return runClusterPrimary(config, logger, process.env);
  }
  const { createGateway } = await import("./app.ts");
  const gateway = await createGateway(config, logger);
  // Ctrl-C from here on (even before the first line is printed) stops the server cleanly, with exit code 0.
  const stopped = new Promise<void>((resolve) => {
    const stop = () => resolve();
    // In a cluster, Ctrl-C reaches a process twice (from the terminal and from the primary): keep handling it.
    const on = inCluster ? process.on.bind(process) : process.once.bind(process);
    on("SIGINT", stop);
    on("SIGTERM", stop);
  });
  let url: string;
  try {
    ({ url } = await gateway.listen());
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    await gateway.close();
    const where = config.unixSocket ?? `${config.address}:${config.port}`;
    process.stderr.write(e.code === "EADDRINUSE"
      ? (config.unixSocket ? `plothost: ${where} is in use. Stop the other server or pick another path with --unix-socket PATH.\n`
        : `plothost: port ${config.port} is already in use. Stop the other server or pick another port with --port N.\n`)
      : `plothost: could not listen on ${where}: ${e.message}\n`);
    return 2;
  }
  if (inCluster) {
    // The primary counts a process as started once it listens and its /readyz would say 200 (a rolling restart
    // stops an old process only then); SIGHUP is the primary's (rolling restart), not this process's.
    process.on("SIGHUP", () => {});
    const { reportListening, waitUntilReady } = await import("./cluster/cluster-primary.ts");
    reportListening(url, await waitUntilReady(() => gateway.ready()));
  } else process.stdout.write(`plothost listening on ${url}\n`);
  if (!inCluster) for (const app of config.apps) process.stdout.write(`  app ${app.name}: ${url}/${app.name}\n`);
  if (config.show && !inCluster) {
    const { openInBrowser } = await import("./open-browser.ts");
    process.stdout.write(`${openInBrowser(config.apps.length === 1 ? `${url}/${config.apps[0]!.name}` : `${url}/`, process.env)}\n`);
  }
  await stopped;
  logger.info({ timeoutMs: config.shutdownTimeoutMs }, "shutting down");
  if (!(await within(gateway.close(), config.shutdownTimeoutMs))) {
    logger.error({ timeoutMs: config.shutdownTimeoutMs }, "shutdown did not finish within --shutdown-timeout; exiting anyway (workers die with the gateway)");
    return 1;
  }
  logger.info("stopped");
  return 0;
}

/** `plothost runner`: a worker host until SIGTERM/SIGINT (gateway/src/runner). */
async function runRunner(argv: string[]): Promise<number> {
  if (argv.some((a) => a === "--help" || a === "-h")) {
    process.stdout.write(USAGE);
    return 0;
  }
  const portGiven = argv.some((a) => a === "-p" || a === "--port" || a.startsWith("--port=")) || process.env.PLOTHOST_PORT || process.env.PORT;
  let config;
  try {
    config = parseGatewayConfig(portGiven ? argv : [...argv, "--port", "0"], process.env, projectRoot);
    if (!config.runnerSecret) throw new ConfigError(["a runner needs the secret its gateways use: --runner-secret S or PLOTHOST_RUNNER_SECRET (make one with `plothost secret`)"]);
    if (!config.redisUrlGiven) throw new ConfigError(["a runner needs the gateways' Redis: --redis-url URL or REDIS_URL"]);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`plothost: ${err.message}\nRun \`plothost --help\` for the options.\n`);
      return 2;
    }
    throw err;
  }
  const logger = createLogger({ level: config.logLevel, name: "runner" });
  const { createRunner } = await import("./runner/create-runner.ts");
  const stopped = new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  let runner;
  try {
    runner = await createRunner(config, logger);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(e.code === "EADDRINUSE"
      ? `plothost: port ${config.port} is already in use. Pick another with --port N (0: any free port).\n`
      : `plothost: the runner could not start: ${e.message}\n`);
    return 2;
  }
  process.stdout.write(`plothost runner ${runner.id} serving workers at ${runner.address}\n`);
  await stopped;
  logger.info({ timeoutMs: config.shutdownTimeoutMs }, "runner shutting down");
  if (await within(runner.close(), config.shutdownTimeoutMs)) return 0;
  logger.error({ timeoutMs: config.shutdownTimeoutMs }, "shutdown did not finish within --shutdown-timeout; exiting anyway");
  return 1;
}

/** Whether `work` finished within `ms` (`--shutdown-timeout`). */
async function within(work: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const finished = await Promise.race([
    work.then(() => true),
    new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), ms); }),
  ]);
  clearTimeout(timer);
  return finished;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
