/**
 * How workers are launched: the `WorkerLauncher` interface (types.ts), its two implementations and
 * `createWorkerLauncher`, the only place that chooses between them (`--node-permission`).
 */
import path from "node:path";
import { createPermissionLauncher } from "./permission-launcher.ts";
import { createTsxLauncher } from "./tsx-launcher.ts";
import type { WorkerLauncher } from "./types.ts";
import { buildWorkerBundle } from "./worker-bundle.ts";

export type { LaunchRequest, WorkerLaunch, WorkerLauncher } from "./types.ts";
export { AppCompileError } from "./app-compiler.ts";

/**
 * `nodePermission` true: builds the worker bundle now (cached in `DATA_DIR/worker-build/`) and launches workers
 * under Node's permission model; false: from source through tsx.
 */
export async function createWorkerLauncher(opts: { projectRoot: string; dataDir: string; nodePermission: boolean }): Promise<WorkerLauncher> {
  if (!opts.nodePermission) return createTsxLauncher(opts.projectRoot);
  return createPermissionLauncher(await buildWorkerBundle(opts.projectRoot, path.join(opts.dataDir, "worker-build")));
}
