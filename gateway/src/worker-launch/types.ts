/**
 * How the supervisor turns an app into a worker's Node command line. Two implementations, chosen once at start by
 * `createWorkerLauncher` (`--node-permission`): `tsx` runs the worker and the app from their TypeScript sources
 * through tsx; `permission` runs a prebuilt JavaScript bundle of the worker and the app compiled to JavaScript, under
 * Node's permission model with fs allow-lists.
 */

/** What the supervisor knows about one worker it is about to start. */
export interface LaunchRequest {
  /** The app as configured: a module file or a directory app. */
  readonly appPath: string;
  /** The app's directory: the directory app itself, or the folder of a single module. */
  readonly appDir: string;
  /** Directories the worker writes (its socket dir, TMPDIR, home); it may read them too. */
  readonly writablePaths: readonly string[];
}

/** Node's arguments up to (and including) the worker's entry script, and what the sandbox must show it. */
export interface WorkerLaunch {
  /** Node flags and the entry script; the supervisor appends the worker's own config arguments. */
  readonly nodeArgs: readonly string[];
  /** The app path the worker loads (the compiled copy under `permission`). */
  readonly appPath: string;
  /** Paths the worker reads: its code, its dependencies, the app. */
  readonly readOnlyPaths: readonly string[];
}

/** Builds worker command lines; `close()` is not needed (a launcher holds no processes). */
export interface WorkerLauncher {
  readonly kind: "tsx" | "permission";
  /** Layers this launcher adds to the sandbox's (`GET /api/v1/admin/sandbox`), e.g. `node:permission`. */
  readonly layers: readonly string[];
  /**
   * The launch of one worker. `tsx` answers synchronously (so a worker starts exactly as before); `permission`
   * may compile the app first and rejects with the compiler's message when it cannot.
   */
  prepare(req: LaunchRequest): WorkerLaunch | Promise<WorkerLaunch>;
}
