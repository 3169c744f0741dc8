import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { workerConfigToArgs } from "../../shared/config/index.ts";
import { projectRoot } from "./plothost.ts";

/** `process.memoryUsage()` of the worker right after a full GC (bytes); `external` holds typed arrays' data. */
export interface GcReport {
  heapUsed: number;
  external: number;
  rss: number;
}

export interface GcWorker {
  readonly socketPath: string;
  readonly pid: number;
  /** Runs a full GC in the worker and resolves with its heap and RSS afterwards. */
  gc(timeoutMs?: number): Promise<GcReport>;
  close(): Promise<void>;
}

const PRELOAD = path.join(path.dirname(fileURLToPath(import.meta.url)), "gc-preload.ts");

/**
 * Starts the real worker (`worker/src/main.ts`) for `appPath` as a plain child with `--expose-gc` and a preload
 * that collects on demand, outside any supervisor or sandbox: for measuring the worker's own memory without
 * V8's collection lag. Resolves once it is ready.
 */
export async function spawnGcWorker(appPath: string, opts: { unusedSessionLifetimeMs?: number; checkUnusedSessionsMs?: number } = {}): Promise<GcWorker> {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-gc-"));
  const socketPath = path.join(runDir, "worker.sock");
  const args = workerConfigToArgs({
    socketPath, appPath, prefix: `/${path.basename(appPath).replace(/\.[mc]?[jt]s$/, "")}`, dev: false, logLevel: "error",
    unusedSessionLifetimeMs: opts.unusedSessionLifetimeMs ?? 500, checkUnusedSessionsMs: opts.checkUnusedSessionsMs ?? 250,
    keepAliveMs: 0, sessionTokenExpirationS: 300, maxMessageBytes: 20 * 1024 * 1024, binaryThresholdBytes: 64, secretFile: null,
  });
  const child: ChildProcess = spawn(process.execPath, [
    "--expose-gc", "--import", "tsx", "--import", PRELOAD, path.join(projectRoot, "worker", "src", "main.ts"), ...args,
  ], { cwd: projectRoot, stdio: ["ignore", "pipe", "pipe"], env: { PATH: process.env.PATH ?? "", NODE_NO_WARNINGS: "1" } });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const gcLines: Array<(v: GcReport) => void> = [];
  readline.createInterface({ input: child.stderr! }).on("line", (line) => {
    if (line.startsWith('{"gc":')) gcLines.shift()?.((JSON.parse(line) as { gc: GcReport }).gc);
    else process.stderr.write(`[gc worker] ${line}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("worker not ready within 60 s")), 60_000);
    child.once("exit", (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
    readline.createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line.includes('"event":"ready"')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    socketPath, pid: child.pid!,
    gc: (timeoutMs = 10_000) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no GC report within ${timeoutMs} ms`)), timeoutMs);
      gcLines.push((v) => {
        clearTimeout(timer);
        resolve(v);
      });
      child.kill("SIGUSR2");
    }),
    close: async () => {
      child.kill("SIGTERM");
      const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(kill);
      fs.rmSync(runDir, { recursive: true, force: true });
    },
  };
}
