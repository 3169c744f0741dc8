/** What the `--num-procs` tests share: a scratch directory and Redis prefix per file, their cleanup, process checks. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { projectRoot } from "../../helpers/start-gateway.ts";
import { killServers } from "../client/run-cli.ts";

/** The fixture app whose documents name the worker (pid) that built them. */
export const PID_APP = path.join(projectRoot, "test", "fixtures", "apps", "pid.ts");

/** A scratch directory and a Redis key prefix of this test file's own; `cleanup()` (in `afterAll`) removes both. */
export function clusterScratch(name: string): { tmp: string; prefix: string; cleanup(): Promise<void> } {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `plothost-${name}-`));
  const prefix = `plothost-test-${randomBytes(4).toString("hex")}:`;
  return {
    tmp, prefix,
    cleanup: async () => {
      killServers();
      fs.rmSync(tmp, { recursive: true, force: true });
      const redis = new Redis("redis://127.0.0.1:6379");
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
}

/** Whether a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
