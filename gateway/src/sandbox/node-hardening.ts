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
 * Deliberately left out, measured on Node 20.20 with tsx 4.23: Node's permission model
 * (`--experimental-permission` with `--allow-fs-read`/`--allow-fs-write` lists). tsx compiles each TypeScript
 * module through esbuild's service, a child process (`esbuild --service`), which the permission model refuses
 * unless `--allow-child-process` is given; with that flag any tenant can start a process without the flags, so
 * the allow-lists would be decoration. (tsx's tsconfig lookup also stats a case-inverted path such as
 * `/WORK/MAIN`, which the model turns into a fatal ERR_ACCESS_DENIED.) Precompiled JavaScript alone is not enough
 * either: the worker's `plothost` resolver hook (`module.register`) runs on a worker thread, which the model refuses
 * without `--allow-worker` (docs/security.md says what would make the layer possible).
 * test/integration/isolation/node-permission.test.ts pins both measurements.
 */
export function nodeHardeningArgs(opts: NodeHardeningOptions): string[] {
  return [`--max-old-space-size=${Math.max(32, Math.floor(opts.memoryMiB * 0.75))}`];
}
