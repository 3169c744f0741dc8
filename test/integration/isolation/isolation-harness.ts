// Helpers for the isolation tests: a real gateway (like test/helpers' startGateway) whose log lines the test
// can read, the report a hostile fixture leaves in its page title, and bounded waits for supervisor events.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { createGateway, type Gateway } from "../../../gateway/src/app.ts";
import { parseGatewayConfig, type GatewayConfig } from "../../../shared/config/index.ts";
import { createLogger } from "../../../shared/logging/create-logger.ts";
import type { WorkerSupervisor } from "../../../gateway/src/worker-supervisor.ts";
import type { Sandbox } from "../../../gateway/src/sandbox/index.ts";

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const HOSTILE = path.join(projectRoot, "test/fixtures/hostile");

/** A running gateway, its URL, its data dir and every log line it wrote so far. */
export interface LoggedGateway {
  readonly gateway: Gateway;
  readonly url: string;
  readonly dataDir: string;
  logs(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * Starts a gateway on an ephemeral port; `configure` may adjust the parsed config (e.g. per-app limits), and
 * `sandbox` make the gateway's sandbox from it (the gateway then leaves closing it to this helper).
 */
export async function startLoggedGateway(
  args: string[], configure: (c: GatewayConfig) => GatewayConfig = (c) => c, sandbox?: (c: GatewayConfig) => Promise<Sandbox>,
): Promise<LoggedGateway> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-isolation-"));
  const lines: Array<Record<string, unknown>> = [];
  let partial = "";
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      const text = partial + chunk.toString("utf8");
      const parts = text.split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const config = configure(parseGatewayConfig(["--port", "0", "-D", dataDir, ...args], {}, projectRoot));
  const own = sandbox ? await sandbox(config) : undefined;
  const gateway = await createGateway(config, createLogger({ level: "info", name: "gateway", destination }), { sandbox: own });
  const { port } = await gateway.listen();
  return {
    gateway, dataDir, url: `http://127.0.0.1:${port}`, logs: () => lines,
    close: async () => {
      await gateway.close();
      await own?.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** What a hostile fixture saw (its page title `report:<JSON>`), with the response status. */
export async function visit(url: string, signal?: AbortSignal): Promise<{ status: number; report: Record<string, any> | null }> {
  const res = await fetch(url, { signal });
  const html = await res.text();
  const title = /<title>report:(.*?)<\/title>/s.exec(html)?.[1];
  const report = title === undefined ? null : JSON.parse(title.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&")) as Record<string, any>;
  return { status: res.status, report };
}

/** The next `exit` event of a supervisor ({code, signal, reason}); rejects after `timeoutMs`. */
export function nextExit(supervisor: WorkerSupervisor, timeoutMs: number): Promise<{ code: number | null; signal: string | null; reason: string | null }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no worker exit within ${timeoutMs} ms`)), timeoutMs);
    supervisor.once("exit", (e: { code: number | null; signal: string | null; reason: string | null }) => {
      clearTimeout(timer);
      resolve(e);
    });
  });
}

/** Resolves when the supervisor reaches `state` (at once if it is there); rejects after `timeoutMs`. */
export function reaches(supervisor: WorkerSupervisor, state: string, timeoutMs: number): Promise<void> {
  if (supervisor.state === state) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      supervisor.off("state", onState);
      reject(new Error(`state ${state} not reached within ${timeoutMs} ms (now ${supervisor.state})`));
    }, timeoutMs);
    const onState = (s: string) => {
      if (s !== state) return;
      clearTimeout(timer);
      supervisor.off("state", onState);
      resolve();
    };
    supervisor.on("state", onState);
  });
}
