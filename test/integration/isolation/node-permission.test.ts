// Why the worker does not run under Node's permission model (see gateway/src/sandbox/node-hardening.ts): tsx
// compiles TypeScript through esbuild's service process, which the model refuses to start. This test pins that
// measurement; once it fails, tsx works under the model and that layer should be switched on.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { projectRoot } from "./isolation-harness.ts";

const caches: string[] = [];
afterEach(() => {
  for (const d of caches.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A module of the project that tsx must compile (it has type annotations) and that does nothing when loaded. */
const MODULE = path.join(projectRoot, "shared", "config", "config-error.ts");

/** Runs `node <flags> --import tsx MODULE` from the project root with an empty tsx cache (bounded). */
function runTsx(flags: (cache: string) => string[]): Promise<{ code: number | null; stderr: string }> {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-tsx-cache-"));
  caches.push(cache);
  const child = spawn(process.execPath, [...flags(cache), "--import", "tsx", MODULE], {
    cwd: projectRoot, env: { TMPDIR: cache, NODE_NO_WARNINGS: "1" }, stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/** Swaps the case of every letter, as tsx's case-sensitivity check does with the project path. */
const invertCase = (s: string) => [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join("");

/** Runs `node <flags> --import register.mjs app.mjs` where register.mjs registers a `plothost` resolver hook, as the worker does. */
function runWithResolverHook(flags: (dir: string) => string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-perm-hook-"));
  caches.push(dir);
  fs.writeFileSync(path.join(dir, "hook.mjs"), `export async function resolve(s, c, next) {
  return s === "plothost" ? { url: new URL("./lib.mjs", import.meta.url).href, shortCircuit: true } : next(s, c);
}\n`);
  fs.writeFileSync(path.join(dir, "lib.mjs"), "export const answer = 42;\n");
  fs.writeFileSync(path.join(dir, "register.mjs"), 'import { register } from "node:module";\nregister("./hook.mjs", import.meta.url);\n');
  fs.writeFileSync(path.join(dir, "app.mjs"), 'import { answer } from "plothost";\nconsole.log("answer", answer);\n');
  const child = spawn(process.execPath, [...flags(dir), "--import", "./register.mjs", "app.mjs"], {
    cwd: dir, env: { NODE_NO_WARNINGS: "1" }, stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("Node's permission model and the worker's plothost resolver hook (measured, not used)", () => {
  it("the hook resolves `plothost` without the model", async () => {
    expect(await runWithResolverHook(() => [])).toMatchObject({ code: 0, stdout: "answer 42\n" });
  });

  it("under the model, even with plain JavaScript and every path readable, registering the hook needs --allow-worker", async () => {
    const { code, stderr } = await runWithResolverHook((dir) => ["--experimental-permission", `--allow-fs-read=${dir}`]);
    expect(code).not.toBe(0);
    expect(stderr).toContain("ERR_ACCESS_DENIED");
    expect(stderr).toMatch(/permission: 'WorkerThreads'/);
  });
});

describe("Node's permission model and tsx (measured, not used)", () => {
  it("tsx loads the module without the model", async () => {
    expect(await runTsx(() => [])).toEqual({ code: 0, stderr: "" });
  });

  it("under the model, with every path the worker needs readable, tsx cannot start esbuild's service", async () => {
    const { code, stderr } = await runTsx((cache) => [
      "--experimental-permission", "--allow-worker",
      `--allow-fs-read=${projectRoot}`, `--allow-fs-read=${invertCase(projectRoot)}`,
      `--allow-fs-read=${cache}`, `--allow-fs-write=${cache}`,
    ]);
    expect(code).not.toBe(0);
    expect(stderr).toContain("ERR_ACCESS_DENIED");
    expect(stderr).toMatch(/permission: 'ChildProcess'/);
    expect(stderr).toContain("esbuild");
  });
});
