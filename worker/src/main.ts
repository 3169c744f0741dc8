/**
 * Worker composition root: one process per app, started by the gateway inside a sandbox. It loads the app,
 * listens on the Unix socket it was given, and prints one JSON log line per event on stdout (the gateway
 * re-logs them; the line with `"event":"ready"` tells it the worker is serving).
 */
import fs from "node:fs";
import { register } from "node:module";
import { parseWorkerConfig, ConfigError } from "../../shared/config/index.ts";
import { createLogger } from "../../shared/logging/create-logger.ts";
import { loadAppBundle } from "./app-bundle.ts";
import type { ServerContext } from "./lifecycle.ts";
import { workerEventLine } from "../../shared/protocol/worker-events.ts";
import { SessionRegistry } from "./session-registry.ts";
import { createWorkerServer } from "./http-server.ts";
import { SessionSigning } from "./session-signing.ts";
import { SessionJournal } from "./session-journal.ts";

/** Set (to true) by esbuild when the gateway runs the worker as one bundle (gateway/src/worker-runtime/). */
declare const PLOTHOST_BUNDLED: boolean | undefined;
// Run from source (tsx), apps reach `plothost` through a resolver hook. The bundled worker needs none: the bundle
// sits in a generated `node_modules/plothost` above the compiled app, and a hook would need a worker thread,
// which Node's permission model refuses.
if (typeof PLOTHOST_BUNDLED === "undefined") register("./plothost-resolver.ts", import.meta.url);

let config;
try {
  config = parseWorkerConfig(process.argv.slice(2));
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}

const logger = createLogger({ level: config.logLevel, name: "worker" });
process.on("uncaughtException", (err) => {
  logger.fatal({ err }, "uncaught exception in worker; exiting");
  process.exit(1);
});
process.on("unhandledRejection", (err) => {
  logger.error({ err }, "unhandled promise rejection in app code");
});

const bundle = await loadAppBundle(config.appPath).catch((err: Error) => {
  logger.fatal({ err, event: "load_failed" }, err.message);
  process.exit(3);
});
const serverContext: ServerContext = { prefix: config.prefix, appDir: bundle.dir };
try {
  await bundle.lifecycle.onServerLoaded?.(serverContext);
} catch (err) {
  logger.fatal({ err, event: "load_failed" }, `onServerLoaded raised an error: ${(err as Error).message}`);
  process.exit(3);
}
// A restorable app under a supervisor that saves sessions: journal them (snapshot + changes on stdout).
const journal = config.persistSessions && bundle.restorable
  ? new SessionJournal({ write: (e) => void process.stdout.write(workerEventLine(e)) })
  : null;
const sessions = new SessionRegistry({
  restorable: journal && bundle.restorable ? { journal, restore: bundle.restorable.restore } : null,
  app: bundle.handler, logger, lifecycle: bundle.lifecycle, theme: bundle.theme,
  // Written directly, whatever the log level: the supervisor routes sessions and stops idle workers by these.
  onSessionsChanged: (op, id, count) => void process.stdout.write(workerEventLine({ event: "session", op, id, count })),
  unusedSessionLifetimeMs: config.unusedSessionLifetimeMs,
  checkUnusedSessionsMs: config.checkUnusedSessionsMs,
  binaryThresholdBytes: config.binaryThresholdBytes,
});
const secretKey = config.secretFile ? fs.readFileSync(config.secretFile, "utf8").trim() : null;
const signing = new SessionSigning(secretKey, config.sessionTokenExpirationS);
const server = createWorkerServer({ config, sessions, signing, logger, bundle, journal });

fs.rmSync(config.socketPath, { force: true });
server.listen(config.socketPath, () => {
  // Written directly, whatever the log level: the supervisor waits for this line to route traffic here.
  process.stdout.write(workerEventLine({ event: "ready", socket: config.socketPath, pid: process.pid }));
});

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, "worker stopping");
  server.goingAway();
  server.close();
  server.closeAllConnections();
  await sessions.close();
  try {
    await bundle.lifecycle.onServerUnloaded?.(serverContext);
  } catch (err) {
    logger.error({ err }, "onServerUnloaded raised an error");
  }
  process.exit(0);
};
process.on("SIGTERM", () => void stop("SIGTERM"));
process.on("SIGINT", () => void stop("SIGINT"));
