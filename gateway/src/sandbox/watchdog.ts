import type { ChildProcess } from "node:child_process";
import { performance } from "node:perf_hooks";
import { processTreeUsage, treeOf, type ProcessUsage } from "./process-tree.ts";
import type { ResourceLimits, Sandbox, SandboxSpec, WatchdogOptions } from "./types.ts";

/** What the watchdog enforces: the memory limit as resident memory, the CPU limit as an average. */
export type WatchdogMetric = "rss" | "cpu";

export const DEFAULT_WATCHDOG_INTERVAL_MS = 1000;
export const DEFAULT_CPU_WINDOW_MS = 10_000;

const MIB = 1024 * 1024;

/**
 * Wraps a sandbox whose host cannot enforce `SandboxSpec.limits` with cgroups (none writable, a controller
 * missing, or the plain sandbox without its launch tools): every child spawned with limits is sampled from /proc
 * each `intervalMs` — its resident memory and CPU time summed over the child and all its descendants — and its
 * whole tree is SIGKILLed when the sum of RSS exceeds `memoryMiB` (`rss`), or when it used more than
 * `cpuPercent` of one core on average over the last `cpuWindowMs` (`cpu`). `exitReason` then says why, e.g.
 * `killed by the watchdog: RSS 612 MiB over the 512 MiB limit`; the supervisor restarts the worker as after any
 * crash. Adds the layer `watchdog:rss,cpu` (the metrics it enforces).
 *
 * Deliberately not a replacement for cgroups: it samples, so an allocation faster than the interval overshoots
 * the limit until the next sample (the kernel's OOM killer is the last resort then); RSS counts pages shared
 * between the tree's processes once per process; a descendant that double-forked away from the tree (re-parented
 * to init) is no longer counted or killed; the pids limit is not enforced (a fork bomb outruns any sampler); and
 * it isolates nothing — files and network are as the wrapped sandbox leaves them.
 */
export function withWatchdog(inner: Sandbox, metrics: readonly WatchdogMetric[], opts: WatchdogOptions = {}): Sandbox {
  const watchdog = new Watchdog(metrics, opts.intervalMs ?? DEFAULT_WATCHDOG_INTERVAL_MS, opts.cpuWindowMs ?? DEFAULT_CPU_WINDOW_MS);
  const layers = Object.freeze([...inner.layers, `watchdog:${metrics.join(",")}`]);
  return {
    kind: inner.kind,
    layers,
    // The plain sandbox adds warnings at spawn time: always show its current list.
    get warnings() {
      return inner.warnings;
    },
    spawn(spec: SandboxSpec): ChildProcess {
      const child = inner.spawn(spec);
      if (spec.limits) watchdog.watch(child, spec.limits);
      return child;
    },
    exitReason: (child) => watchdog.exitReason(child) ?? inner.exitReason(child),
    close: async () => {
      watchdog.close();
      await inner.close();
    },
  };
}

/** One watched tree: its root, its limits and the CPU samples of the current window. */
interface Watched {
  readonly pid: number;
  readonly limits: ResourceLimits;
  readonly spawnedAt: number;
  /** (time in ms, CPU seconds of the tree), oldest first; only samples after the start-up window. */
  readonly samples: Array<{ t: number; cpu: number }>;
}

/** Samples every watched tree on one timer (unref'd, stopped while nothing is watched). */
class Watchdog {
  private readonly watched = new Map<ChildProcess, Watched>();
  private readonly reasons = new WeakMap<ChildProcess, string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly metrics: readonly WatchdogMetric[],
    private readonly intervalMs: number,
    private readonly cpuWindowMs: number,
  ) {}

  watch(child: ChildProcess, limits: ResourceLimits): void {
    if (child.pid === undefined) return; // spawn failed: the child's `error` event says why
    this.watched.set(child, { pid: child.pid, limits, spawnedAt: performance.now(), samples: [] });
    const forget = () => {
      this.watched.delete(child);
      if (this.watched.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
    child.once("exit", forget);
    child.once("error", forget);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), this.intervalMs);
      this.timer.unref();
    }
  }

  exitReason(child: ChildProcess): string | null {
    return this.reasons.get(child) ?? null;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.watched.clear();
  }

  private tick(): void {
    const now = performance.now();
    for (const [child, w] of this.watched) {
      const usage = processTreeUsage(w.pid);
      if (!usage) continue;
      const over = this.judge(w, usage, now);
      if (over === null) continue;
      // Recorded before the kill, so the reason is known when the child's `exit` listeners run.
      this.reasons.set(child, `killed by the watchdog: ${over}`);
      this.watched.delete(child);
      killTree(w.pid);
    }
  }

  /** What the tree is over, or null. */
  private judge(w: Watched, usage: ProcessUsage, now: number): string | null {
    const { memoryMiB, cpuPercent } = w.limits;
    if (this.metrics.includes("rss") && usage.rssBytes > memoryMiB * MIB) {
      return `RSS ${Math.round(usage.rssBytes / MIB)} MiB over the ${memoryMiB} MiB limit`;
    }
    if (!this.metrics.includes("cpu") || now - w.spawnedAt < this.cpuWindowMs) return null;
    const samples = w.samples;
    samples.push({ t: now, cpu: usage.cpuSeconds });
    // Keep one sample at least a window old (the baseline) and everything after it.
    while (samples.length > 1 && samples[1].t <= now - this.cpuWindowMs) samples.shift();
    const base = samples[0];
    if (base.t > now - this.cpuWindowMs) return null;
    const seconds = (now - base.t) / 1000;
    const percent = ((usage.cpuSeconds - base.cpu) / seconds) * 100;
    if (percent <= cpuPercent) return null;
    return `CPU ${Math.round(percent)}% of one core over the last ${seconds.toFixed(1)} s, over the ${cpuPercent}% limit`;
  }
}

/** Resident memory and CPU time of a process and its living descendants. */
/**
 * SIGKILLs the tree rooted at `root`. Everything in it is stopped first (SIGSTOP, walking again until no new
 * process turns up), so nothing can fork a child that escapes between the walk and the kill.
 */
function killTree(root: number): void {
  const stopped: number[] = [];
  const seen = new Set<number>();
  for (let round = 0; round < 16; round++) {
    const fresh = treeOf(root).filter((pid) => !seen.has(pid));
    if (fresh.length === 0) break;
    for (const pid of fresh) {
      seen.add(pid);
      if (signal(pid, "SIGSTOP")) stopped.push(pid);
    }
  }
  for (const pid of stopped.reverse()) signal(pid, "SIGKILL");
  signal(root, "SIGKILL");
}

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false; // already gone
  }
}
