// Helpers for the sandbox integration tests: start the inspector fixture in a sandbox, read its report over
// its Unix socket, and look for its processes on the host.
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Sandbox, SandboxSpec } from "../../../gateway/src/sandbox/index.ts";

export const FIXTURE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/sandbox");
export const INSPECTOR = path.join(FIXTURE_DIR, "inspect-worker.mjs");
export const IS_ROOT = process.getuid?.() === 0;

/** What inspect-worker.mjs reports about its world. */
export interface InspectorReport {
  uid: number;
  gid: number;
  groups: number[];
  status: Record<string, string>;
  env: Record<string, string>;
  cwd: string;
  interfaces: string[];
  tcp: string | null;
  shadow: string;
  paths: Record<string, string>;
  readOnlyWrite: string | null;
  tmpWrite: string;
  root: string[];
  etc: string[];
  timeZoneOk: boolean;
  fds: number[];
  childPid?: number;
}

export interface InspectorConfig {
  socketPath: string;
  tcpPort?: number;
  probePaths?: string[];
  readOnlyDir?: string;
  spawnChild?: boolean;
  marker?: string;
}

/** A running inspector: its process, collected output, and its socket. */
export interface RunningInspector {
  child: ChildProcess;
  socketPath: string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or signal name) once the sandbox is gone. */
  exited: Promise<number | string>;
}

/** Temp dirs made by a test, removed by `cleanup()`. */
export class TempDirs {
  private readonly dirs: string[] = [];

  make(prefix: string, mode = 0o755): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `plothost-sbx-${prefix}-`));
    fs.chmodSync(dir, mode);
    this.dirs.push(dir);
    return dir;
  }

  cleanup(): void {
    for (const d of this.dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  }
}

/** Spawns `script` (default: the inspector) in the sandbox and waits (bounded) until it prints "ready". */
export async function startInspector(
  sandbox: Sandbox,
  config: InspectorConfig,
  spec: Partial<SandboxSpec> & { script?: string } = {},
): Promise<RunningInspector> {
  const script = spec.script ?? INSPECTOR;
  const child = sandbox.spawn({
    command: process.execPath,
    args: [script, JSON.stringify(config)],
    env: spec.env ?? { PLOTHOST_TEST: "1" },
    cwd: spec.cwd ?? path.dirname(script),
    readOnlyPaths: spec.readOnlyPaths ?? [path.dirname(script)],
    writablePaths: spec.writablePaths ?? [path.dirname(config.socketPath)],
    uid: spec.uid,
    gid: spec.gid,
    limits: spec.limits,
    name: spec.name,
  });
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (c: string) => (out += c));
  child.stderr?.setEncoding("utf8").on("data", (c: string) => (err += c));
  const exited = new Promise<number | string>((resolve) => {
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
  const running = { child, socketPath: config.socketPath, stdout: () => out, stderr: () => err, exited };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error("inspector not ready within 10 s")), 10_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new Error(`${e.message}\nstdout: ${out}\nstderr: ${err}`));
    };
    child.stdout?.on("data", () => {
      if (out.includes("ready\n")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("error", fail);
    void exited.then((code) => fail(new Error(`inspector exited (${code}) before it was ready`)));
  });
  return running;
}

/** GET / over the inspector's Unix socket, from outside the sandbox. */
export function fetchReport(socketPath: string): Promise<InspectorReport> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath, path: "/", timeout: 5000 }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (c: string) => (body += c));
      res.on("end", () => resolve(JSON.parse(body) as InspectorReport));
    });
    req.on("timeout", () => req.destroy(new Error("report request timed out")));
    req.on("error", reject);
  });
}

/** Kills the sandbox (SIGKILL) and waits for the launcher to exit. */
export async function stop(running: RunningInspector): Promise<void> {
  running.child.kill("SIGKILL");
  await running.exited;
}

/** Spawns, reads the report, stops: the common case. */
export async function inspect(
  sandbox: Sandbox,
  config: InspectorConfig,
  spec: Partial<SandboxSpec> & { script?: string } = {},
): Promise<InspectorReport> {
  const running = await startInspector(sandbox, config, spec);
  try {
    return await fetchReport(running.socketPath);
  } finally {
    await stop(running);
  }
}

/** Host pids whose command line contains `marker` (the launcher, its init, the worker, its child). */
export function pidsWithMarker(marker: string): number[] {
  const pids: number[] = [];
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${name}/cmdline`, "utf8").includes(marker)) pids.push(Number(name));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

/**
 * Waits until `condition()` holds, checking every 20 ms, for at most `timeoutMs`. Only for conditions the
 * kernel offers no event for (another process tree disappearing); returns whether it came true.
 */
export async function eventually(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}
