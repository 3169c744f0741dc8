import cluster, { type Worker } from "node:cluster";
import type { GatewayConfig } from "../../../shared/config/index.ts";
import type { Logger } from "../../../shared/logging/create-logger.ts";
import { ensureRedis } from "../redis/managed-redis.ts";

/** What a gateway process tells the primary once it listens. */
export interface ListeningMessage {
  readonly plothost: "listening";
  readonly url: string;
  /** Whether its `/readyz` said 200 (it waited a bounded time for that before reporting). */
  readonly ready: boolean;
}

const isListening = (m: unknown): m is ListeningMessage =>
  typeof m === "object" && m !== null && (m as { plothost?: unknown }).plothost === "listening";

/** Tells the primary (if any) that this gateway process listens at `url`; false when not a cluster worker. */
export function reportListening(url: string, ready: boolean): boolean {
  if (!cluster.isWorker || !process.send) return false;
  process.send({ plothost: "listening", url, ready } satisfies ListeningMessage);
  return true;
}

/** Asks `ready` (what `/readyz` answers) every 200 ms until it says yes; false after `timeoutMs`. */
export async function waitUntilReady(ready: () => Promise<boolean>, timeoutMs = 30_000): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await ready().catch(() => false)) return true;
    if (Date.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** How long a new process may take to listen during a rolling restart before the restart is given up. */
const START_TIMEOUT_MS = 60_000;

const workers = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);

/**
 * `plothost serve --num-procs N`: the primary of N gateway processes (node:cluster) sharing the listening port. It
 * serves nothing itself: it starts Redis when plothost manages it, forks the first process alone (so the accounts
 * database is migrated once), then the others; prints the URL once all listen; restarts a process that dies (after
 * 1 s, doubling up to 30 s while replacements keep dying young); on SIGHUP replaces them one at a time (a rolling
 * restart: a new process listens and is ready, then one old process stops gracefully); on SIGTERM/SIGINT asks each
 * process to stop gracefully and exits when all have: 0 when all stopped cleanly, else 1. A process that fails while
 * starting (port in use, database unreachable) stops the whole start with its exit code.
 */
export async function runClusterPrimary(config: GatewayConfig, logger: Logger, env: NodeJS.ProcessEnv): Promise<number> {
  const log = logger.child({ component: "cluster" });
  const managedRedis = await ensureRedis(config, logger);
  let phase: "starting" | "running" | "stopping" = "starting";
  let startupFailure: number | null = null;
  const listening = new Set<Worker>();
  /** Processes a rolling restart started (it watches them) or stops on purpose (not restarted when they exit). */
  const rolledIn = new Set<Worker>();
  const retiring = new Set<Worker>();
  /** Per process: resolves with its `ready` once it listens, or false if it exits first. */
  const started = new Map<Worker, Promise<boolean>>();
  const exited = new Map<Worker, Promise<void>>();
  const exitCodes: number[] = [];
  let url = "";
  let restartDelayMs = 500;
  let settle: (ok: boolean) => void = () => {};
  const allListening = new Promise<boolean>((resolve) => (settle = resolve));
  let done: () => void = () => {};
  const allExited = new Promise<void>((resolve) => (done = resolve));

  const fork = (): Worker => {
    const w = cluster.fork();
    const startedAt = Date.now();
    let listened: (ready: boolean) => void = () => {};
    started.set(w, new Promise<boolean>((resolve) => (listened = resolve)));
    exited.set(w, new Promise<void>((resolve) => w.once("exit", () => resolve())));
    w.on("message", (m: unknown) => {
      if (!isListening(m)) return;
      url = m.url;
      listening.add(w);
      listened(m.ready);
      if (!m.ready) log.warn({ pid: w.process.pid }, "a gateway process listens but its /readyz is not 200");
      if (phase === "running" && !rolledIn.has(w)) log.warn({ pid: w.process.pid }, "a new gateway process replaced the dead one and listens");
      if (phase !== "starting") return;
      if (listening.size === 1) for (let i = 1; i < config.numProcs; i++) fork();
      if (listening.size === config.numProcs) settle(true);
    });
    w.once("exit", (code, signal) => {
      const wasListening = listening.delete(w);
      listened(false);
      started.delete(w);
      exited.delete(w);
      if (phase === "stopping") {
        exitCodes.push(code ?? 1);
        if (workers().every((x) => x === w || x.isDead())) done();
        return;
      }
      if (retiring.delete(w)) return; // a rolling restart stopped it and waits for this itself
      if (phase === "starting" && !wasListening) {
        // It printed why; stop the others and exit with its code.
        startupFailure = code || 1;
        settle(false);
        return stop();
      }
      if (rolledIn.delete(w) && !wasListening) return; // failed to start during a rolling restart, which gives up
      // Replacements that keep dying young are restarted ever more slowly, so a broken host is not forked in a loop.
      restartDelayMs = Date.now() - startedAt < 10_000 ? Math.min(restartDelayMs * 2, 30_000) : 1000;
      log.error({ pid: w.process.pid, code, signal, restartInMs: restartDelayMs }, "gateway process died; starting another");
      setTimeout(() => {
        if (phase !== "stopping") fork();
      }, restartDelayMs).unref();
    });
    return w;
  };

  /** SIGTERM to `w` (its graceful shutdown path), SIGKILL if it is still there after its --shutdown-timeout. */
  const retire = async (w: Worker): Promise<void> => {
    const gone = exited.get(w);
    if (!gone || w.isDead()) return;
    retiring.add(w);
    w.process.kill("SIGTERM");
    const killer = setTimeout(() => w.process.kill("SIGKILL"), config.shutdownTimeoutMs + 5000);
    await gone;
    clearTimeout(killer);
  };

  let rolling = false;
  let rollAgain = false;
  /** SIGHUP: each process now running is replaced in turn; one more SIGHUP during a restart queues another. */
  const rollingRestart = async (): Promise<void> => {
    if (phase !== "running") return void log.warn("SIGHUP ignored: the gateway processes are still starting or stopping");
    if (rolling) return void (rollAgain = true);
    rolling = true;
    try {
      do {
        rollAgain = false;
        const old = workers().filter((w) => listening.has(w));
        log.info({ pids: old.map((w) => w.process.pid) }, "rolling restart: replacing the gateway processes one at a time");
        for (const w of old) {
          if (phase !== "running") return;
          if (w.isDead()) continue; // it died meanwhile: the ordinary restart replaces it
          const fresh = fork();
          rolledIn.add(fresh);
          let timer: NodeJS.Timeout | undefined;
          const ready = await Promise.race([
            started.get(fresh)!,
            new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), START_TIMEOUT_MS))),
          ]);
          clearTimeout(timer);
          if (!ready) {
            log.error({ pid: fresh.process.pid }, "rolling restart given up: a new gateway process did not become ready; the old ones keep serving");
            process.stdout.write("rolling restart failed: a new gateway process did not become ready (see the log)\n");
            rolledIn.delete(fresh);
            await retire(fresh);
            return;
          }
          rolledIn.delete(fresh);
          await retire(w);
          log.info({ stopped: w.process.pid, started: fresh.process.pid }, "rolling restart: one gateway process replaced");
        }
        const pids = workers().filter((w) => !w.isDead()).map((w) => w.process.pid).join(", ");
        process.stdout.write(`rolling restart done: ${config.numProcs} gateway processes: ${pids}\n`);
      } while (rollAgain && phase === "running");
    } finally {
      rolling = false;
    }
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
  process.on("SIGHUP", () => void rollingRestart());

  fork();
  if (await allListening) {
    phase = "running";
    const pids = workers().map((w) => w.process.pid).join(", ");
    process.stdout.write(`plothost listening on ${url}\n  ${config.numProcs} gateway processes: ${pids}\n`);
    process.stdout.write(`  primary process: ${process.pid} (kill -HUP ${process.pid} restarts the gateway processes one at a time)\n`);
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
