/**
 * Runner composition root (`plothost runner`): a worker host. It runs deployed apps' sandboxed workers for the
 * gateways sharing its Redis: consumes `start-worker` / `stop-worker` jobs on its own BullMQ queue, serves the
 * workers' traffic on one TCP listener that only admits requests proving the shared runner secret, and keeps its
 * registration (address, load) alive in Redis with a heartbeat. Everything it creates is closed by `close()`.
 */
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { Worker, UnrecoverableError, type Job } from "bullmq";
import { Redis } from "ioredis";
import type { GatewayConfig } from "../../../shared/config/index.ts";
import type { Logger } from "../../../shared/logging/create-logger.ts";
import { createSandbox } from "../sandbox/index.ts";
import { activeLayers } from "../sandbox/active-layers.ts";
import { TenantIdentities } from "../sandbox/tenant-identities.ts";
import { createWorkerLauncher } from "../worker-launch/index.ts";
import { RedisSessionRegistry } from "../cluster/session-registry.ts";
import { createSessionSnapshots } from "../sessions/create-session-snapshots.ts";
import { RunnerHost } from "./runner-host.ts";
import { createRunnerFront } from "./runner-front.ts";
import { runnerEventsChannel, runnerKey, runnerQueueName, runnersSetKey, type RunnerEvent, type RunnerInfo, type StartWorkerJob, type StopWorkerJob } from "./runner-protocol.ts";

export interface Runner {
  readonly id: string;
  /** `host:port` gateways reach it at. */
  readonly address: string;
  close(): Promise<void>;
}

export async function createRunner(config: GatewayConfig, logger: Logger): Promise<Runner> {
  const secret = config.runnerSecret;
  if (!secret) throw new Error("a runner needs --runner-secret (or PLOTHOST_RUNNER_SECRET)");
  const id = randomBytes(6).toString("hex");
  const log = logger.child({ runner: id });
  const sandbox = await createSandbox({ prefer: config.sandbox, watchdog: config.workerWatchdog });
  const tenants = new TenantIdentities({ dir: path.join(config.dataDir, "sandbox"), ...config.workerUidRange });
  const launcher = await createWorkerLauncher({ projectRoot: config.projectRoot, dataDir: config.dataDir, nodePermission: config.nodePermission });
  const layers = activeLayers({ sandbox: sandbox.layers, launcher: launcher.layers, uidRange: config.workerUidRange, isRoot: process.getuid?.() === 0 });
  log.info({ sandbox: sandbox.kind, layers }, "sandbox selected");
  for (const w of sandbox.warnings) log.warn({ sandbox: sandbox.kind }, w);

  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 2 });
  redis.on("error", () => {});
  const channel = runnerEventsChannel(config.redisPrefix);
  const publish = (e: RunnerEvent) => void redis.publish(channel, JSON.stringify(e)).catch(() => {});
  const sessions = new RedisSessionRegistry({ url: config.redisUrl, prefix: config.redisPrefix });
  // Restorable apps' sessions are saved in Redis, where a worker on any runner can restore them.
  const snapshots = createSessionSnapshots({ ...config, backend: "redis" });

  let host: RunnerHost | null = null;
  const front = createRunnerFront({
    secret, logger: log, worker: (w) => host?.get(w), headersTimeoutMs: config.headersTimeoutMs, requestTimeoutMs: config.requestTimeoutMs,
  });
  await new Promise<void>((resolve, reject) => {
    front.once("error", reject);
    front.listen(config.port, config.address, () => (front.off("error", reject), resolve()));
  });
  const port = (front.address() as AddressInfo).port;
  const advertised = config.advertiseAddress ?? (["0.0.0.0", "::"].includes(config.address) ? os.hostname() : config.address);
  const address = `${advertised.includes(":") && !advertised.startsWith("[") ? `[${advertised}]` : advertised}:${port}`;
  host = new RunnerHost({ id, address, config, logger: log, redis, publish, sessions, supervisorDeps: { sandbox, tenants, launcher, snapshots } });
  const hosted = host;

  const jobsConnection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  jobsConnection.on("error", () => {});
  const jobs = new Worker(runnerQueueName(id), async (job: Job) => {
    // The registration is renewed at once after a start or a stop: other gateways place by its worker count.
    if (job.name === "start-worker") return void (await hosted.start(job.data as StartWorkerJob).finally(() => void beat()));
    if (job.name === "stop-worker") return void (await hosted.stop((job.data as StopWorkerJob).workerId).finally(() => void beat()));
    // A worker kept running on purpose (`--min-procs`) goes once idle like any other; one that was going anyway, as before.
    if (job.name === "release-worker") return void hosted.release((job.data as StopWorkerJob).workerId, config.workerIdleTimeoutMs || 60_000);
    throw new UnrecoverableError(`a runner has no job named "${job.name}"`);
  }, { connection: jobsConnection, prefix: config.jobQueuePrefix, concurrency: 4 });
  jobs.on("error", () => {});
  jobs.on("failed", (job, err) => {
    log.error({ err, job: job?.name, worker: (job?.data as { workerId?: string } | undefined)?.workerId }, "runner job failed");
    const data = job?.data as StartWorkerJob | undefined;
    if (job?.name === "start-worker" && data?.workerId) publish({ type: "state", runner: id, worker: data.workerId, state: "crashed" });
  });
  await jobs.waitUntilReady();

  const startedAt = new Date().toISOString();
  const info = (): RunnerInfo => ({ id, address, hostname: os.hostname(), pid: process.pid, workers: hosted.size, workerIds: hosted.ids, startedAt });
  const beat = () => redis.multi()
    .set(runnerKey(config.redisPrefix, id), JSON.stringify(info()), "PX", 3 * config.runnerHeartbeatMs)
    .sadd(runnersSetKey(config.redisPrefix), id)
    .exec().catch((err: Error) => log.warn({ err }, "heartbeat failed"));
  await beat();
  const heartbeat = setInterval(() => void beat(), config.runnerHeartbeatMs);
  log.info({ address }, "runner ready");

  return {
    id, address,
    close: async () => {
      clearInterval(heartbeat);
      // No new jobs; then the workers stop (their clients get 1001 and reconnect through a gateway elsewhere).
      await jobs.close().catch(() => {});
      jobsConnection.disconnect();
      // Gateways learn at once that this runner is going: they route its sessions' reconnections, and new
      // sessions, to workers on other runners while these workers close.
      publish({ type: "runner-stopped", runner: id });
      await redis.multi().del(runnerKey(config.redisPrefix, id)).srem(runnersSetKey(config.redisPrefix), id).exec().catch(() => {});
      await hosted.close();
      await sessions.close();
      await snapshots.close();
      await new Promise<void>((resolve) => {
        front.close(() => resolve());
        front.closeAllConnections();
      });
      await sandbox.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
