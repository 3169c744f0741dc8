// The non-root path (bwrap in a user namespace) only runs when the gateway is not root. When these tests run as
// root, they exercise it for real by running a transpiled copy of the sandbox module as uid 65534, from a temp
// dir that user can read (the project itself may sit under a 0700 /root).
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { afterEach, describe, expect, it } from "vitest";
import { FIXTURE_DIR, type InspectorReport, IS_ROOT, TempDirs } from "./sandbox-harness.ts";

const SANDBOX_SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../gateway/src/sandbox");
const temp = new TempDirs();
afterEach(() => temp.cleanup());

/** Copies gateway/src/sandbox as plain ES modules (types stripped, `.ts` imports rewritten) into `dir/lib`. */
function transpileSandbox(dir: string): void {
  const lib = path.join(dir, "lib");
  fs.mkdirSync(lib);
  fs.writeFileSync(path.join(dir, "package.json"), '{"type":"module"}\n');
  for (const name of fs.readdirSync(SANDBOX_SRC).filter((n) => n.endsWith(".ts"))) {
    const source = fs.readFileSync(path.join(SANDBOX_SRC, name), "utf8");
    const { outputText } = ts.transpileModule(source, {
      fileName: name,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        rewriteRelativeImportExtensions: true,
      },
    });
    fs.writeFileSync(path.join(lib, name.replace(/\.ts$/, ".js")), outputText);
  }
  for (const name of ["run-unprivileged.mjs", "inspect-worker.mjs"]) {
    fs.copyFileSync(path.join(FIXTURE_DIR, name), path.join(dir, name));
  }
}

interface Outcome {
  kind: string;
  layers: string[];
  warnings: string[];
  report: InspectorReport & { nestedUserns: string | null };
  termExit: number | null;
  stdout: string;
}

function which(name: string): string {
  return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
}

/** Runs the runner (as uid 65534 when root), bounded, and parses its one JSON line. */
function runUnprivileged(dir: string, tcpPort: number): Promise<Outcome> {
  // fd 200, opened without close-on-exec, stands for whatever a launcher leaves open in the gateway (Node marks
  // only its low fds close-on-exec at start: uv_disable_stdio_inheritance).
  const runner = [
    which("bash"), "-c", 'exec 200</dev/null; exec "$@"', "open-fd",
    process.execPath, path.join(dir, "run-unprivileged.mjs"), JSON.stringify({ tcpPort }),
  ];
  const [command, ...args] = IS_ROOT
    ? [which("setpriv"), "--reuid", "65534", "--regid", "65534", "--clear-groups", "--inh-caps=-all", "--", ...runner]
    : runner;
  const child = spawn(command, args, { env: {}, cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (err += c));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    child.once("close", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(JSON.parse(out) as Outcome);
      else reject(new Error(`runner exited ${code}\nstdout: ${out}\nstderr: ${err}`));
    });
  });
}

describe("bwrap sandbox, gateway not root", () => {
  it("isolates with a user namespace: own uid, only lo, no host files or fds, no nested user namespaces, SIGTERM forwarded", async () => {
    const dir = temp.make("unpriv", 0o755);
    transpileSandbox(dir);
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const outcome = await runUnprivileged(dir, (server.address() as net.AddressInfo).port);
      expect(outcome.kind).toBe("bwrap");
      expect(outcome.layers).toEqual(expect.arrayContaining(["no-nested-userns", "no-new-privs", "caps:none"]));
      expect(outcome.layers.find((l) => l.startsWith("namespaces:"))).toMatch(/^namespaces:user,pid,net,ipc,uts,mount/);
      expect(outcome.layers).toContain("seccomp:deny-list");
      // uid 65534 has no cgroup of its own to create workers' cgroups in: limits are off, and it says so.
      if (IS_ROOT) expect(outcome.warnings.join("\n")).toMatch(/memory, pids and CPU limits are NOT enforced/);
      const { report } = outcome;
      expect(report.uid).toBe(IS_ROOT ? 65534 : process.getuid?.());
      expect(report.status.NoNewPrivs).toBe("1");
      expect(report.status.CapEff).toBe("0000000000000000");
      expect(report.env).toEqual({ PLOTHOST_TEST: "unprivileged" });
      expect(report.interfaces).toEqual(["lo"]);
      expect(report.tcp).toBe("ECONNREFUSED");
      expect(report.shadow).toBe("ENOENT");
      expect(report.fds).toEqual([0, 1, 2, 3]);
      expect(report.nestedUserns).not.toBe("ok");
      // SIGTERM reached the worker, which exited on its own.
      expect(outcome.termExit).toBe(0);
      expect(outcome.stdout).toContain("got SIGTERM");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
