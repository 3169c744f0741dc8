/**
 * Preloaded (`node --expose-gc --import <this>`) into a worker started by `spawnGcWorker`: on SIGUSR2 it runs a
 * full GC and writes one line `{"gc": {"heapUsed": ..., "external": ..., "rss": ...}}` to stderr. Only for measurements: the
 * real supervisor never starts workers this way.
 */
const collect = (globalThis as { gc?: () => void }).gc;
if (!collect) throw new Error("gc-preload needs node --expose-gc");
process.on("SIGUSR2", () => {
  collect();
  collect();
  const { heapUsed, external, rss } = process.memoryUsage();
  process.stderr.write(`${JSON.stringify({ gc: { heapUsed, external, rss } })}\n`);
});
