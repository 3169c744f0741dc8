/** A real `plothost serve` process for the operations tests (signals, exit codes, log lines). */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { projectRoot } from "../../helpers/start-gateway.ts";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-shutdown-"));
const children = new Set<ChildProcess>();
/** Kills every server {@link serve} started that is still running, and removes their data (call in `afterAll`). */
export function killServed(): void {
  for (const c of children) c.kill("SIGKILL");
  fs.rmSync(tmp, { recursive: true, force: true });
}

/** A real `plothost serve` process with `args`, once it printed its URL; `exit` resolves with its exit code. */
export async function serve(args: string[]) {
  const child = spawn(process.execPath, [path.join(projectRoot, "bin", "plothost.js"), "serve", "--port", "0", "-D", fs.mkdtempSync(path.join(tmp, "d")), ...args], {
    cwd: projectRoot, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: tmp }, stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let out = "";
  child.stdout!.on("data", (c: Buffer) => void (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => void (out += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => (children.delete(child), resolve(code))));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not listening within 60 s:\n${out}`)), 60_000);
    const look = () => {
      const m = /plothost listening on (\S+)\n/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off("data", look);
      resolve(m[1]!);
    };
    child.stdout!.on("data", look);
    void exit.then((code) => reject(new Error(`exited (${code}) before listening:\n${out}`)));
  });
  return { child, url, exit, out: () => out };
}

