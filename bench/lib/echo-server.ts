/**
 * The patch-roundtrip baseline: a raw `ws` server that sends every frame straight back (text as text, binary as
 * binary). Run as its own process (`spawnEchoServer()`), like a worker, on an ephemeral TCP port; it prints
 * `{"port": N}` and exits when stdin ends.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { WebSocketServer } from "ws";
import { projectRoot } from "./plothost.ts";

const SELF = fileURLToPath(import.meta.url);

export async function spawnEchoServer(timeoutMs = 60_000): Promise<{ port: number; child: ChildProcess; close(): Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", SELF], { cwd: projectRoot, stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`echo server not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    child.once("exit", (code) => reject(new Error(`echo server exited with ${code}`)));
    readline.createInterface({ input: child.stdout! }).once("line", (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
  });
  return {
    port, child,
    close: async () => {
      child.stdin!.end();
      await exited;
    },
  };
}

function main(): void {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false }, () => {
    const address = wss.address();
    process.stdout.write(`${JSON.stringify({ port: typeof address === "object" && address !== null ? address.port : 0 })}\n`);
  });
  wss.on("connection", (ws) => {
    ws.on("message", (data, isBinary) => ws.send(data as Buffer, { binary: isBinary }));
  });
  process.stdin.on("end", () => wss.close(() => process.exit(0)));
  process.stdin.resume();
}

if (process.argv[1] && path.resolve(process.argv[1]) === SELF) main();
