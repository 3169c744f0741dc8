/**
 * A gateway in its own process, as in production, so that benchmark clients do not share its event loop.
 * Run as a script (`tsx bench/lib/gateway-process.ts <plothost serve args>`) it starts a gateway on an
 * ephemeral port, waits for every worker, and prints one JSON line:
 * `{"port": N, "apps": {"<name>": {"socketPath": ..., "pid": ...}}}`. It closes on SIGTERM or when stdin ends.
 * `spawnGateway(args)` is the parent side.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { projectRoot, startPlothost } from "./plothost.ts";

export interface GatewayInfo {
  port: number;
  apps: Record<string, { socketPath: string; pid: number }>;
}

export interface GatewayProcess extends GatewayInfo {
  readonly child: ChildProcess;
  close(): Promise<void>;
}

const SELF = fileURLToPath(import.meta.url);
/** Extra node flags for the gateway process, e.g. PLOTHOST_BENCH_GATEWAY_NODE_ARGS="--cpu-prof" to profile it. */
const NODE_ARGS_ENV = "PLOTHOST_BENCH_GATEWAY_NODE_ARGS";

/** Starts a gateway process with `plothost serve` arguments; resolves once every app's worker is ready. */
export function spawnGateway(args: string[], opts: { timeoutMs?: number; nodeArgs?: string[] } = {}): Promise<GatewayProcess> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? process.env[NODE_ARGS_ENV]?.split(" ").filter(Boolean) ?? []), "--import", "tsx", SELF, ...args], {
    cwd: projectRoot, stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`gateway process not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway process exited with ${code} before it was ready`));
    });
    const lines = readline.createInterface({ input: child.stdout! });
    lines.once("line", (line) => {
      clearTimeout(timer);
      const info = JSON.parse(line) as GatewayInfo;
      resolve({
        ...info,
        child,
        close: async () => {
          child.stdin!.end();
          const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
          await exited;
          clearTimeout(kill);
        },
      });
    });
  });
}

async function main(): Promise<void> {
  const gw = await startPlothost(process.argv.slice(2));
  const apps: GatewayInfo["apps"] = {};
  for (const [name, sup] of gw.supervisors) {
    await sup.ready();
    apps[name] = { socketPath: sup.socketPath, pid: sup.pid! };
  }
  process.stdout.write(`${JSON.stringify({ port: gw.port, apps } satisfies GatewayInfo)}\n`);
  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    void gw.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on("SIGTERM", close);
  process.stdin.on("end", close);
  process.stdin.resume();
}

if (process.argv[1] && path.resolve(process.argv[1]) === SELF) void main();
