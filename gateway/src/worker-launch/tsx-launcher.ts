import path from "node:path";
import type { LaunchRequest, WorkerLaunch, WorkerLauncher } from "./types.ts";

/**
 * Runs the worker from its TypeScript sources through tsx (`node --import tsx worker/src/main.ts`); apps reach
 * `plothost` through the worker's resolver hook. No Node permission model: tsx needs esbuild's service process and
 * the hook a worker thread, both refused by the model (gateway/src/sandbox/node-hardening.ts).
 */
export function createTsxLauncher(projectRoot: string): WorkerLauncher {
  // Only what the worker needs: its code, its dependencies, and the app. Not the data directory.
  const code = [
    path.join(projectRoot, "package.json"), path.join(projectRoot, "worker"), path.join(projectRoot, "shared"),
    path.join(projectRoot, "node_modules"),
  ];
  return {
    kind: "tsx",
    layers: [],
    prepare: (req: LaunchRequest): WorkerLaunch => ({
      nodeArgs: ["--import", "tsx", path.join(projectRoot, "worker", "src", "main.ts")],
      appPath: req.appPath,
      readOnlyPaths: [...new Set([...code, req.appDir])],
    }),
  };
}
