/**
 * The `plothost` command. `serve` starts the gateway (composition root in app.ts); later issues add more
 * commands. Usage errors print a message and exit with code 2.
 */
import path from "node:path";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { parseGatewayConfig, ConfigError } from "../../shared/config/index.ts";
import { createLogger } from "../../shared/logging/create-logger.ts";
// The gateway and the database are imported when a command needs them, so client commands start fast.
import { CLIENT_USAGE, isClientCommand, runClientCommand } from "./cli/client-cli.ts";

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

const USAGE = `Usage: plothost <command> [options]

Commands:
  serve [APP ...]     Serve apps (.ts/.js modules or directory apps). Without APP, serves the demo app at /demo.
  secret              Print a new random secret key for PLOTHOST_SECRET_KEY (used with --sign-sessions).
  admin create USER   Create an admin account (password from stdin); also: admin reset-password USER.

Options for serve:
  -p, --port N                     Port to listen on (env PORT or PLOTHOST_PORT; default 5006; 0 = any free port)
      --address ADDR               Address to bind (env PLOTHOST_ADDRESS; default 127.0.0.1)
  -D, --data-directory DIR         Data directory (env PLOTHOST_DATA_DIR; default ./.plothost)
      --dev                        Show app stack traces in error pages (env PLOTHOST_DEV=1)
      --log-level LEVEL            fatal|error|warn|info|debug|trace|silent (env PLOTHOST_LOG_LEVEL; default info)
      --sandbox MODE               auto|bwrap|plain (env PLOTHOST_SANDBOX; default auto)
      --allow-websocket-origin H   Allow WebSocket connections from origin host H[:PORT] (repeatable; default: same host)
      --worker-start-timeout MS    A worker not ready after MS is killed as hung (default 15000)
      --unused-session-lifetime MS Destroy sessions unused for MS (default 15000)
      --check-unused-sessions MS   How often to look for unused sessions (default 17000)
      --keep-alive MS              WebSocket ping interval, 0 = off (default 37000)
      --session-token-expiration S Seconds a session token is valid for connecting (default 300)
      --websocket-max-message-size BYTES  (default 20971520)
      --sign-sessions              Require session ids and tokens signed with PLOTHOST_SECRET_KEY (env PLOTHOST_SIGN_SESSIONS=1)
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
      --job-queue local|redis      Where deploy jobs run: in-process, or BullMQ on --redis-url (env PLOTHOST_JOB_QUEUE;
                                   default redis with --backend redis, else local)
      --job-queue-prefix P         BullMQ key prefix (default plothost)
      --max-archive-size BYTES     Largest app archive accepted by POST /api/v1/apps (default 52428800)
      --max-app-size BYTES         Largest unpacked app (default 209715200)
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
  const { createGateway } = await import("./app.ts");
  const gateway = await createGateway(config, logger);
  let url: string;
  try {
    ({ url } = await gateway.listen());
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    await gateway.close();
    process.stderr.write(e.code === "EADDRINUSE"
      ? `plothost: port ${config.port} is already in use. Stop the other server or pick another port with --port N.\n`
      : `plothost: could not listen on ${config.address}:${config.port}: ${e.message}\n`);
    return 2;
  }
  process.stdout.write(`plothost listening on ${url}\n`);
  for (const app of config.apps) process.stdout.write(`  app ${app.name}: ${url}/${app.name}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  logger.info("shutting down");
  await gateway.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
