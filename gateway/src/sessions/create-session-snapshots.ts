import type { GatewayConfig } from "../../../shared/config/index.ts";
import { MemorySessionSnapshots } from "./memory-session-snapshots.ts";
import { RedisSessionSnapshots } from "./redis-session-snapshots.ts";
import type { SessionSnapshots } from "./session-snapshots.ts";

/**
 * The one place that picks where restorable sessions are saved: Redis whenever the gateway uses Redis (`--backend
 * redis`, or `--num-procs N` whose processes share it), so any process or host can restore them; else memory,
 * which survives a worker crash but not a gateway restart.
 */
export function createSessionSnapshots(config: Pick<GatewayConfig, "backend" | "numProcs" | "redisUrl" | "redisPrefix">): SessionSnapshots {
  if (config.backend === "redis" || config.numProcs > 1) return new RedisSessionSnapshots({ url: config.redisUrl, prefix: config.redisPrefix });
  return new MemorySessionSnapshots();
}
