import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { projectRoot } from "../../helpers/start-gateway.ts";

/** How a `plothost` run ended. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const BIN = path.join(projectRoot, "bin", "plothost.js");

/** The environment a CLI run gets: only PATH and HOME from the test process, plus `env`. */
function cliEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", ...env };
}

/** Starts the real `bin/plothost.js` with `args`. */
export function startCli(args: readonly string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { cwd: projectRoot, env: cliEnv(env), stdio: ["pipe", "pipe", "pipe"] });
}

/** Runs `plothost ARGS` to completion (bounded), feeding `input` on standard input. */
export function runCli(args: readonly string[], env: Record<string, string>, input = ""): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = startCli(args, env);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (c: Buffer) => void (stdout += c.toString()));
    child.stderr!.on("data", (c: Buffer) => void (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`plothost ${args.join(" ")} did not finish within 60 s\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin!.end(input);
  });
}

/** A real `plothost serve` process, once it printed where it listens. */
export interface Served {
  readonly url: string;
  readonly out: () => string;
  /** Resolves once the output contains `text` (bounded: 20 s, or `timeoutMs`). */
  printed(text: string, timeoutMs?: number): Promise<void>;
  /** Ctrl-C (or `signal`): resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const running = new Set<ChildProcess>();
let dirs = 0;

/**
 * Starts `plothost serve ARGS` (a data directory of its own under `tmp`, quiet logs) and waits for
 * "plothost listening on URL" (bounded). Stop it with `stop()`; {@link killServers} ends any left over.
 */
export function startServe(args: readonly string[], env: Record<string, string>, tmp: string): Promise<Served> {
  dirs += 1;
  const dataDir = path.join(tmp, `data${process.pid}x${dirs}`);
  const child = startCli(["serve", "-D", dataDir, "--log-level", "warn", ...args], env);
  running.add(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (c: Buffer) => void (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => void (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => (running.delete(child), resolve(code))));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`plothost serve ${args.join(" ")} did not listen within 60 s\n${out}\n${err}`)), 60_000);
    const check = () => {
      const m = /plothost listening on (\S+)\n/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off("data", check);
      resolve({
        url: m[1], out: () => out,
        printed: (text, timeoutMs = 20_000) => new Promise<void>((ok, fail) => {
          const t = setTimeout(() => fail(new Error(`"${text}" not printed within ${timeoutMs / 1000} s:\n${out}`)), timeoutMs);
          const look = () => {
            if (!out.includes(text)) return;
            clearTimeout(t);
            child.stdout!.off("data", look);
            ok();
          };
          child.stdout!.on("data", look);
          look();
        }),
        stop: (signal = "SIGINT") => {
          child.kill(signal);
          const t = setTimeout(() => child.kill("SIGKILL"), 30_000); // a server that ignores Ctrl-C fails with null
          return exited.finally(() => clearTimeout(t));
        },
      });
    };
    child.stdout!.on("data", check);
    void exited.then((code) => reject(new Error(`plothost serve exited (${code}) before listening\n${out}\n${err}`)));
  });
}

/** Kills every server {@link startServe} started that is still running (call it in `afterAll`). */
export function killServers(): void {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
}
