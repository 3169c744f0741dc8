import fs from "node:fs";
import path from "node:path";
import type { Redis } from "ioredis";
import { extractArchive, inspectArchive, type ArchiveLimits } from "../apps/archive.ts";

/** How long a version's files stay in Redis after the last worker placement that needed them. */
const FILES_TTL_S = 7 * 24 * 3600;

/**
 * Gateway side: makes a deployed version's archive (the uploaded `.tar.gz`, as stored) readable by runners on other
 * hosts, at `key`. Written once per version; later placements only renew its expiry.
 */
export async function publishAppFiles(redis: Redis, key: string, archiveFile: string): Promise<void> {
  if ((await redis.expire(key, FILES_TTL_S)) === 1) return;
  await redis.set(key, await fs.promises.readFile(archiveFile), "EX", FILES_TTL_S);
}

/**
 * Runner side: the version's files unpacked under `dest` (made once; a later call finds them). The archive is
 * checked again as a deploy checks it (paths, links, sizes): a runner trusts nothing it reads from Redis blindly.
 */
export async function fetchAppFiles(redis: Redis, key: string, dest: string, limits: ArchiveLimits): Promise<void> {
  const done = path.join(dest, ".complete");
  if (fs.existsSync(done)) return;
  const data = await redis.getBuffer(key);
  if (!data) throw new Error(`the app's files are not in Redis (${key}): redeploy the app, or check that gateways and runners share --redis-url and --redis-prefix`);
  fs.mkdirSync(path.dirname(dest), { recursive: true, mode: 0o755 });
  const tmp = `${dest}.${process.pid}.${Date.now()}`;
  const file = `${tmp}.tar.gz`;
  await fs.promises.writeFile(file, data, { mode: 0o600 });
  try {
    const info = await inspectArchive(file, limits);
    await extractArchive(file, info, path.join(tmp));
    fs.writeFileSync(path.join(tmp, ".complete"), "");
    fs.rmSync(dest, { recursive: true, force: true });
    fs.renameSync(tmp, dest);
  } finally {
    fs.rmSync(file, { force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
