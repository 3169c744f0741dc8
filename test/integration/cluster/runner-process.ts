/** A real `plothost runner` process for the cluster tests. */
import path from "node:path";
import type { ChildProcess } from "node:child_process";
import { startCli } from "../client/run-cli.ts";
import { treeOf } from "../../../gateway/src/sandbox/process-tree.ts";

export interface RunnerProcess {
  readonly id: string;
  readonly address: string;
  readonly pid: number;
  readonly out: () => string;
  /** SIGTERM (graceful): resolves with the exit code. */
  stop(): Promise<number | null>;
  /** The host dies: the runner and every process under it are killed at once (SIGKILL). */
  killHost(): Promise<void>;
}

const started = new Set<ChildProcess>();

/** Starts `plothost runner ARGS` with a data directory under `tmp` and waits (bounded) until it serves. */
export function startRunner(args: readonly string[], tmp: string, name: string): Promise<RunnerProcess> {
  const child = startCli(["runner", "-D", path.join(tmp, name), "--log-level", "warn", ...args], {});
  started.add(child);
  let out = "";
  child.stdout!.on("data", (c: Buffer) => void (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => void (out += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => (started.delete(child), resolve(code))));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`plothost runner did not start within 60 s:\n${out}`)), 60_000);
    void exited.then((code) => reject(new Error(`plothost runner exited (${code}) before serving:\n${out}`)));
    const look = () => {
      const m = /plothost runner (\w+) serving workers at (\S+)\n/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off("data", look);
      resolve({
        id: m[1]!, address: m[2]!, pid: child.pid!, out: () => out,
        stop: () => {
          child.kill("SIGTERM");
          const t = setTimeout(() => child.kill("SIGKILL"), 30_000);
          return exited.finally(() => clearTimeout(t));
        },
        killHost: async () => {
          for (const pid of treeOf(child.pid!).reverse()) {
            try {
              process.kill(pid, "SIGKILL");
            } catch {
              // gone already
            }
          }
          await exited;
        },
      });
    };
    child.stdout!.on("data", look);
  });
}

/** Kills every runner still running (call it in `afterAll`). */
export function killRunners(): void {
  for (const child of started) {
    for (const pid of treeOf(child.pid!)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
  }
  started.clear();
}
