/** What the worker's Node flags are derived from. */
export interface NodeHardeningOptions {
  /** The worker's memory limit; the V8 heap gets three quarters of it (Buffers, code and stacks need the rest). */
  readonly memoryMiB: number;
}

/** The layer names these flags add, for `GET /api/v1/admin/sandbox` and the start-up log. */
export const NODE_HARDENING_LAYERS: readonly string[] = Object.freeze(["node:max-old-space-size"]);

/**
 * Node flags for a worker, put before its script: a V8 heap below the cgroup limit, so that a heap leak ends in
 * V8's own "JavaScript heap out of memory" (exit 134, a clear message) before the kernel's OOM killer, and so
 * that V8 collects garbage as the limit nears instead of growing towards a limit it cannot see (the cgroup
 * files are not visible inside the sandbox). Buffers live outside the heap: the cgroup still bounds those.
 *
 * Node's permission model (`--experimental-permission` with fs allow-lists) is not here: it needs the worker to run
 * without tsx (which starts esbuild's service, a child process the model refuses) and without the `plothost`
 * resolver hook (`module.register` runs on a worker thread, also refused). gateway/src/worker-launch/ does that
 * with `--node-permission on` (the default): a prebuilt worker bundle, apps compiled to JavaScript, and the flags
 * built there (layer `node:permission`). With `off` the worker runs from source through tsx, without the model.
 * test/integration/isolation/node-permission.test.ts proves the layer.
 */
export function nodeHardeningArgs(opts: NodeHardeningOptions): string[] {
  return [`--max-old-space-size=${Math.max(32, Math.floor(opts.memoryMiB * 0.75))}`];
}
