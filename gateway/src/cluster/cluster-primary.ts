import cluster, { type Worker } from "node:cluster";
import type { GatewayConfig } from "../../../shared/config/index.ts";
import type { Logger } from "../../../shared/logging/create-logger.ts";
import { ensureRedis } from "../redis/managed-redis.ts";

/** What a gateway process tells the primary once it listens. */
export interface ListeningMessage {
  readonly plothost: "listening";
  readonly url: string;
}

const isListening = (m: unknown): m is ListeningMessage =>
  typeof m === "object" && m !== null && (m as { plothost?: unknown }).plothost === "listening";

/** Tells the primary (if any) that this gateway process listens at `url`; false when not a cluster worker. */
export function reportListening(url: string): boolean {
  if (!cluster.isWorker || !process.send) return false;
  process.send({ plothost: "listening", url } satisfies ListeningMessage);
  return true;
}

const workers = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);

/**
 * `plothost serve --num-procs N`: the primary of N gateway processes (node:cluster) sharing the listening port. It
 * serves nothing itself: it starts Redis when plothost manages it, forks the first process alone (so the accounts
 * database is migrated once), then the others; prints the URL once all listen; restarts a process that dies (after
 * 1 s, doubling up to 30 s while replacements keep dying young); on SIGTERM/SIGINT asks each process to stop
 * gracefully and exits when all have: 0 when all stopped cleanly, else 1. A process that fails while starting
 * (port in use, database unreachable) stops the whole start with its exit code.
 */
export async function runClusterPrimary(config: GatewayConfig, logger: Logger, env: NodeJS.ProcessEnv): Promise<number> {
  const log = logger.child({ component: "cluster" });
  const managedRedis = await ensureRedis(config, logger);
  let phase: "starting" | "running" | "stopping" = "starting";
  let startupFailure: number | null = null;
  const listening = new Set<Worker>();
  const exitCodes: number[] = [];
  let url = "";
  let restartDelayMs = 500;
  let settle: (ok: boolean) => void = () => {};
  const allListening = new Promise<boolean>((resolve) => (settle = resolve));
  let done: () => void = () => {};
  const allExited = new Promise<void>((resolve) => (done = resolve));

  const fork = (): void => {
    const w = cluster.fork();
    const startedAt = Date.now();
    w.on("message", (m: unknown) => {
      if (!isListening(m)) return;
      url = m.url;
      listening.add(w);
      if (phase === "running") log.warn({ pid: w.process.pid }, "a new gateway process replaced the dead one and listens");
      if (phase !== "starting") return;
      if (listening.size === 1) for (let i = 1; i < config.numProcs; i++) fork();
      if (listening.size === config.numProcs) settle(true);
    });
    w.once("exit", (code, signal) => {
      const wasListening = listening.delete(w);
      if (phase === "stopping") {
        exitCodes.push(code ?? 1);
        if (workers().every((x) => x === w || x.isDead())) done();
        return;
      }
      if (phase === "starting" && !wasListening) {
        // It printed why; stop the others and exit with its code.
        startupFailure = code || 1;
        settle(false);
        return stop();
      }
      // Replacements that keep dying young are restarted ever more slowly, so a broken host is not forked in a loop.
      restartDelayMs = Date.now() - startedAt < 10_000 ? Math.min(restartDelayMs * 2, 30_000) : 1000;
      log.error({ pid: w.process.pid, code, signal, restartInMs: restartDelayMs }, "gateway process died; starting another");
      setTimeout(() => {
        if (phase !== "stopping") fork();
      }, restartDelayMs).unref();
    });
  };

  const stop = (): void => {
    if (phase === "stopping") return;
    phase = "stopping";
    settle(false);
    const live = workers().filter((w) => !w.isDead());
    log.info({ processes: live.length }, "stopping the gateway processes");
    if (live.length === 0) return done();
    for (const w of live) w.process.kill("SIGTERM");
    // Each process bounds its own shutdown by --shutdown-timeout; one that still lingers after that is killed.
    setTimeout(() => {
      for (const w of workers()) w.process.kill("SIGKILL");
    }, config.shutdownTimeoutMs + 5000).unref();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  fork();
  if (await allListening) {
    phase = "running";
    const pids = workers().map((w) => w.process.pid).join(", ");
    process.stdout.write(`plothost listening on ${url}\n  ${config.numProcs} gateway processes: ${pids}\n`);
    for (const app of config.apps) process.stdout.write(`  app ${app.name}: ${url}/${app.name}\n`);
    if (config.show) {
      const { openInBrowser } = await import("../open-browser.ts");
      process.stdout.write(`${openInBrowser(config.apps.length === 1 ? `${url}/${config.apps[0]!.name}` : `${url}/`, env)}\n`);
    }
  }
  await allExited;
  await managedRedis?.close();
  if (startupFailure !== null) return startupFailure;
  log.info("stopped");
  return exitCodes.every((c) => c === 0) ? 0 : 1;
}
