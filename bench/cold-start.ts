/**
 * cold-start: from spawning a sandboxed worker to its first served session (GET page + WebSocket + PULL-DOC on its
 * socket), median of 20; the default worker bundle against the tsx path, against the same worker as a plain
 * child process (`--sandbox plain`) and against bare
 * `node -e` (and `node --import tsx -e`, the loader's own cost). Modes are interleaved, after one warm-up each;
 * tsx's transform cache is warm (it persists per app in the data directory, as across real restarts).
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseGatewayConfig } from "../shared/config/index.ts";
import { createLogger } from "../shared/logging/create-logger.ts";
import { createSandbox, type Sandbox } from "../gateway/src/sandbox/index.ts";
import { WorkerSupervisor } from "../gateway/src/worker-supervisor.ts";
import { createWorkerLauncher, type WorkerLauncher } from "../gateway/src/worker-launch/index.ts";
import { demoApp, directTarget, openSession, projectRoot } from "./lib/plothost.ts";
import { isMain, runAlone, type BenchResult } from "./lib/report.ts";
import { median, ms, now, percentile, ratio } from "./lib/stats.ts";

export interface ColdStartOptions {
  runs?: number;
}

interface Sample {
  ready: number;
  session: number;
}

/** Spawns `node <args>` and resolves with the time until it prints its first byte (bounded). */
function nodeFirstOutput(args: string[], timeoutMs = 20_000): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = now();
    const child = spawn(process.execPath, args, { cwd: projectRoot, stdio: ["ignore", "pipe", "inherit"], env: { PATH: process.env.PATH ?? "" } });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`node ${args.join(" ")} printed nothing within ${timeoutMs} ms`));
    }, timeoutMs);
    child.stdout.once("data", () => {
      const t = now() - t0;
      clearTimeout(timer);
      child.once("exit", () => resolve(t));
    });
  });
}

export async function run(opts: ColdStartOptions = {}): Promise<BenchResult> {
  const runs = opts.runs ?? 20;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-bench-"));
  // Errors only: a worker that cannot start is reported, instead of silently retried with backoff.
  const logger = createLogger({ level: "error" });
  try {
    const config = parseGatewayConfig(["--port", "0", "-D", dataDir, demoApp], {}, projectRoot);
    const sandboxes: Record<"bwrap" | "plain", Sandbox> = {
      bwrap: await createSandbox({ prefer: "bwrap" }),
      plain: await createSandbox({ prefer: "plain" }),
    };
    // The default launcher (a prebuilt worker bundle under Node's permission model) and the tsx one (from source).
    const launchers: Record<"bundle" | "tsx", WorkerLauncher> = {
      bundle: await createWorkerLauncher({ projectRoot, dataDir, nodePermission: true }),
      tsx: await createWorkerLauncher({ projectRoot, dataDir, nodePermission: false }),
    };
    const worker = async (sandbox: Sandbox, launcher: WorkerLauncher): Promise<Sample> => {
      const sup = new WorkerSupervisor(config.apps[0], { sandbox, config, logger, launcher });
      try {
        const t0 = now();
        const exited = new Promise<never>((_resolve, reject) => {
          sup.once("exit", (e) => reject(new Error(`the worker exited before serving a session: ${JSON.stringify(e)}`)));
        });
        exited.catch(() => {}); // it also fires on the normal close below
        await Promise.race([sup.ready(), exited]);
        const ready = now() - t0;
        const { client } = await Promise.race([openSession(directTarget(sup, 1), "demo"), exited]);
        const session = now() - t0;
        await client.close();
        return { ready, session };
      } finally {
        await sup.close();
      }
    };
    const modes: Array<{ label: string; sample: () => Promise<Sample> }> = [
      { label: "worker bundle in bubblewrap, Node permission model (plothost default)", sample: () => worker(sandboxes.bwrap, launchers.bundle) },
      { label: "worker from source through tsx in bubblewrap (--node-permission off)", sample: () => worker(sandboxes.bwrap, launchers.tsx) },
      { label: "worker bundle as a plain child (--sandbox plain)", sample: () => worker(sandboxes.plain, launchers.bundle) },
      { label: "bare `node -e` (prints, exits)", sample: async () => ({ ready: Number.NaN, session: await nodeFirstOutput(["-e", "process.stdout.write('x')"]) }) },
      { label: "`node --import tsx -e` (the loader alone)", sample: async () => ({ ready: Number.NaN, session: await nodeFirstOutput(["--import", "tsx", "-e", "process.stdout.write('x')"]) }) },
    ];
    const samples = modes.map(() => [] as Sample[]);
    for (const m of modes) await m.sample(); // warm-up: page cache, tsx transform cache
    for (let r = 0; r < runs; r++) {
      for (let i = 0; i < modes.length; i++) samples[i].push(await modes[i].sample());
    }
    const sessions = samples.map((s) => s.map((x) => x.session));
    const readies = samples.map((s) => s.map((x) => x.ready));
    const bwrap = median(sessions[0]);
    return {
      name: "cold-start",
      title: `worker spawn → first served session (GET page + WebSocket + PULL-DOC, demo app), median of ${runs}`,
      table: [
        ["mode", "spawn → ready (median)", "spawn → first session (median)", "p90", "bwrap ÷ this"],
        ...modes.map((m, i) => [
          m.label, Number.isNaN(median(readies[i])) ? "—" : ms(median(readies[i])), ms(median(sessions[i])),
          ms(percentile(sessions[i], 90)), ratio(bwrap, median(sessions[i])),
        ]),
      ],
      goal: `sandboxed worker to first session < 300 ms: ${ms(bwrap)} — ${bwrap < 300 ? "met" : "NOT met"}`,
      notes: [
        "For the node rows, \"first session\" is the time to the process's first output.",
        "ready = the worker's `ready` log line reached the supervisor (app module loaded, socket listening).",
      ],
    };
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) runAlone(() => run());
