/**
 * The stream-fanout baseline: a raw `ws` server that relays every message of its one writer connection (the
 * first path `/write`) to every viewer connection (`/view`), frames unchanged, and then answers the writer with a
 * one-byte frame (its "acknowledged"). Run as its own process (`spawnBroadcastServer()`), like the gateway; it
 * prints `{"port": N}` and exits when stdin ends. A message is `frames` frames long, given in the writer's URL
 * (`/write?frames=5`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { WebSocketServer, type WebSocket } from "ws";
import { isMain } from "./report.ts";
import { projectRoot } from "./plothost.ts";

const SELF = fileURLToPath(import.meta.url);

export async function spawnBroadcastServer(timeoutMs = 60_000): Promise<{ port: number; close(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", SELF], { cwd: projectRoot, stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`broadcast server not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    child.once("exit", (code) => reject(new Error(`broadcast server exited with ${code}`)));
    readline.createInterface({ input: child.stdout! }).once("line", (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
  });
  return {
    port,
    close: async () => {
      child.stdin!.end();
      await exited;
    },
  };
}

function main(): void {
  const viewers = new Set<WebSocket>();
  const wss = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false });
  wss.on("connection", (ws, req) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/view") {
      viewers.add(ws);
      ws.on("close", () => viewers.delete(ws));
      return;
    }
    const perMessage = Number(url.searchParams.get("frames") ?? "3");
    let seen = 0;
    ws.on("message", (data, isBinary) => {
      for (const v of viewers) v.send(data, { binary: isBinary });
      if (++seen % perMessage === 0) ws.send("k");
    });
  });
  wss.on("listening", () => process.stdout.write(`${JSON.stringify({ port: (wss.address() as { port: number }).port })}\n`));
  process.stdin.on("end", () => wss.close(() => process.exit(0)));
  process.stdin.resume();
}

if (isMain(import.meta.url)) main();
