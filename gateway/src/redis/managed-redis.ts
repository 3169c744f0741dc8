import fs from "node:fs";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import type { GatewayConfig } from "../../../shared/config/index.ts";
import type { Logger } from "../../../shared/logging/create-logger.ts";

/** A Redis server plothost started itself (`--start-redis`), stopped by `close()`. */
export interface ManagedRedis {
  readonly pid: number | undefined;
  close(): Promise<void>;
}

/** Whether a Redis answers PING at `url` within `timeoutMs`. */
export async function redisAnswers(url: string, timeoutMs = 1000): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

const onPath = (cmd: string): string | null => {
  for (const dir of ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin"]) {
    const p = path.join(dir, cmd);
    if (fs.existsSync(p)) return p;
  }
  return null;
};

/**
 * The old bokeh-server's `--start-redis`: when Redis is needed (`--backend redis` or `--job-queue redis`), no URL
 * was given, and nothing answers on 127.0.0.1:`--redis-port`, start `redis-server` there with an append-only file
 * fsynced on every write under the data directory (acknowledged writes survive a crash), and stop it on exit.
 * Returns null when nothing had to be started; throws with what to do when Redis is needed but unreachable.
 */
export async function ensureRedis(config: GatewayConfig, logger: Logger): Promise<ManagedRedis | null> {
  const needed = config.backend === "redis" || config.jobQueue === "redis";
  if (!needed || (await redisAnswers(config.redisUrl))) return null;
  if (config.redisUrlGiven || !config.startRedis) {
    throw new Error(`Redis does not answer at ${config.redisUrl}. Start it, fix --redis-url, or drop --no-start-redis to let plothost start one on --redis-port.`);
  }
  const bin = onPath("redis-server");
  if (!bin) throw new Error("--backend redis needs Redis: install redis-server (apt-get install redis-server) or pass --redis-url to a running one.");
  const dir = path.join(config.dataDir, "redis");
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const child: ChildProcess = spawn(bin, [
    "--port", String(config.redisPort), "--bind", "127.0.0.1", "--dir", dir, "--save", "",
    "--appendonly", "yes", "--appendfsync", "always", "--protected-mode", "yes", "--daemonize", "no", "--loglevel", "warning",
  ], { stdio: ["ignore", "ignore", "pipe"] });
  const log = logger.child({ component: "redis", port: config.redisPort });
  child.stderr?.on("data", (d: Buffer) => log.warn(d.toString().trim()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(await redisAnswers(config.redisUrl, 500))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`could not start redis-server on port ${config.redisPort} (is the port taken?); pass --redis-url to use a running Redis`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  log.info({ pid: child.pid, dir }, "started redis-server (--start-redis)");
  return {
    pid: child.pid,
    close: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
