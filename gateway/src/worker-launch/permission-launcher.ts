import { compileApp } from "./app-compiler.ts";
import type { LaunchRequest, WorkerLaunch, WorkerLauncher } from "./types.ts";
import type { WorkerBundle } from "./worker-bundle.ts";

/** The layer name this launcher adds to the sandbox's. */
export const NODE_PERMISSION_LAYER = "node:permission";

/**
 * Runs the prebuilt worker bundle (worker-bundle.ts) on the app compiled to JavaScript (app-compiler.ts) under
 * Node's permission model: `--experimental-permission` with reads allowed only below the worker's `plothost`
 * package, the compiled app and the worker's own writable dirs, writes only to those dirs. No
 * `--allow-child-process`, no `--allow-worker`: the worker needs neither (no tsx, no loader hook). Any other
 * file access, a child process or a worker thread throws `ERR_ACCESS_DENIED` in the app. The network is not
 * covered by the model (bwrap's empty network namespace is).
 */
export function createPermissionLauncher(bundle: WorkerBundle): WorkerLauncher {
  return {
    kind: "permission",
    layers: [NODE_PERMISSION_LAYER],
    async prepare(req: LaunchRequest): Promise<WorkerLaunch> {
      const app = await compileApp(req.appPath, req.appDir, bundle.appsDir);
      const readOnlyPaths = [bundle.packageDir, app.dir, ...(app.nodeModules ? [app.nodeModules] : [])];
      return {
        nodeArgs: ["--enable-source-maps", ...permissionFlags([...readOnlyPaths, ...req.writablePaths], req.writablePaths), bundle.entry],
        appPath: app.appPath,
        readOnlyPaths,
      };
    },
  };
}

/** Node 20's permission flags for these paths (each flag once per path; a comma would split a path in two). */
export function permissionFlags(read: readonly string[], write: readonly string[]): string[] {
  for (const p of [...read, ...write]) {
    if (p.includes(",")) throw new Error(`a path with a comma cannot be given to Node's permission model: ${p}`);
  }
  return [
    "--experimental-permission",
    ...[...new Set(read)].map((p) => `--allow-fs-read=${p}`),
    ...[...new Set(write)].map((p) => `--allow-fs-write=${p}`),
  ];
}
