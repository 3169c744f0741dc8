import { randomUUID } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { buildBwrapArgs } from "../../../gateway/src/sandbox/bwrap-args.ts";
import { readHostLayout } from "../../../gateway/src/sandbox/host-layout.ts";
import { createSandbox, SandboxError, type Sandbox, type SandboxSpec } from "../../../gateway/src/sandbox/index.ts";
import {
  eventually, FIXTURE_DIR, fetchReport, inspect, INSPECTOR, IS_ROOT, pidsWithMarker, startInspector, stop, TempDirs,
} from "./sandbox-harness.ts";

const temp = new TempDirs();
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await createSandbox({ prefer: "bwrap" }).catch((err: Error) => {
    throw new Error(`${err.message}\n(run scripts/ensure-system-deps.sh as root to install bubblewrap)`);
  });
});

afterEach(() => temp.cleanup());

/** A fresh socket dir per test (the spec's writable path). */
function socketIn(): string {
  return path.join(temp.make("run"), "worker.sock");
}

describe("bwrap sandbox", () => {
  it("is chosen and says which layers are active", () => {
    expect(sandbox.kind).toBe("bwrap");
    expect(sandbox.warnings).toEqual([]);
    expect(sandbox.layers).toEqual(expect.arrayContaining(["clearenv", "no-new-privs", "caps:none"]));
    expect(sandbox.layers.find((l) => l.startsWith("namespaces:"))).toMatch(/pid,net,ipc,uts,mount/);
    if (IS_ROOT) expect(sandbox.layers).toContain("uid:65534");
    expect(sandbox.layers).toEqual(expect.arrayContaining(["seccomp:deny-list", "no-nested-userns"]));
  });

  it("as root, leaves the steps before setpriv only the capabilities it needs; the filter comes on its own fd", () => {
    const spec: SandboxSpec = { command: "/usr/bin/true", args: [], env: {}, cwd: "/", readOnlyPaths: [], writablePaths: [] };
    const plan = { envTool: "/usr/bin/env", bash: "/usr/bin/bash", layout: readHostLayout(), tmpSizeBytes: 1024, infoFd: 3, seccompFd: 4 };
    const asRoot = buildBwrapArgs({ ...plan, drop: { setpriv: "/usr/bin/setpriv", uid: 1000, gid: 1000 } }, spec, "/usr/bin/true").join(" ");
    expect(asRoot).toContain("--cap-drop ALL --cap-add CAP_SETUID --cap-add CAP_SETGID --cap-add CAP_SETPCAP");
    expect(asRoot).toContain("--seccomp 4");
    expect(asRoot).not.toContain("--unshare-user");
    const unprivileged = buildBwrapArgs({ ...plan, drop: null, seccompFd: null }, spec, "/usr/bin/true").join(" ");
    expect(unprivileged).toContain("--unshare-user --unshare-all --disable-userns");
    expect(unprivileged).not.toContain("--seccomp");
  });

  it("serves HTTP on a Unix socket in a writable dir, reachable from outside", async () => {
    const socketPath = socketIn();
    const report = await inspect(sandbox, { socketPath });
    expect(report.cwd).toBe(FIXTURE_DIR);
    expect(report.tmpWrite).toBe("ok");
    expect(report.timeZoneOk).toBe(true);
  });

  it("has no network but loopback: a TCP port listening on the host is unreachable", async () => {
    const server = net.createServer();
    let connections = 0;
    server.on("connection", (s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const report = await inspect(sandbox, { socketPath: socketIn(), tcpPort: port });
      expect(report.interfaces).toEqual(["lo"]);
      expect(report.tcp).toBe("ECONNREFUSED");
      expect(connections).toBe(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("shows only the listed paths: no /etc/shadow, no /home, no other tenant's data", async () => {
    const otherTenant = temp.make("other-tenant");
    fs.writeFileSync(path.join(otherTenant, "secret.json"), "{}");
    const report = await inspect(sandbox, { socketPath: socketIn(), probePaths: [otherTenant, "/home", "/root", "/etc/passwd"] });
    expect(report.shadow).toBe("ENOENT");
    expect(report.paths).toEqual({ [otherTenant]: "ENOENT", "/home": "ENOENT", "/root": "ENOENT", "/etc/passwd": "ENOENT" });
    expect(report.etc.every((name) => ["localtime", "ld.so.cache", "ssl"].includes(name))).toBe(true);
    const allowedRoot = ["bin", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "sbin", "tmp", "usr"];
    const topOfFixture = FIXTURE_DIR.split("/")[1];
    // Wherever the project lives (/work, /tmp, /root...), only its top directory is added to the root listing.
    expect(report.root).toContain(topOfFixture);
    expect(report.root.filter((n) => !allowedRoot.includes(n) && n !== topOfFixture)).toEqual([]);
  });

  it("cannot write to a read-only path", async () => {
    const report = await inspect(sandbox, { socketPath: socketIn(), readOnlyDir: FIXTURE_DIR });
    expect(report.readOnlyWrite).toBe("EROFS");
    expect(fs.existsSync(path.join(FIXTURE_DIR, "written-by-worker"))).toBe(false);
  });

  it("passes exactly the given environment, values verbatim", async () => {
    const env = { PLOTHOST_TEST: "1", TRICKY: "a b\nc=d 'e' \"f\" $HOME", LD_PRELOAD: "" };
    const report = await inspect(sandbox, { socketPath: socketIn() }, { env });
    expect(report.env).toEqual(env);
  });

  it("passes no fd but stdio into the sandbox", async () => {
    const report = await inspect(sandbox, { socketPath: socketIn() });
    expect(report.fds).toEqual([0, 1, 2, 3]);
  });

  it("runs without privileges: unprivileged uid, NoNewPrivs, no capabilities", async () => {
    const report = await inspect(sandbox, { socketPath: socketIn() });
    expect(report.uid).toBe(IS_ROOT ? 65534 : process.getuid?.());
    if (IS_ROOT) {
      expect(report.gid).toBe(65534);
      expect(report.groups).toEqual([65534]);
    }
    expect(report.status.NoNewPrivs).toBe("1");
    expect(report.status.CapEff).toBe("0000000000000000");
    expect(report.status.CapPrm).toBe("0000000000000000");
    expect(report.status.CapAmb).toBe("0000000000000000");
  });

  it("as root, a spec's uid/gid override the default and the writable dir is chowned to them", async () => {
    const socketPath = socketIn();
    const report = await inspect(sandbox, { socketPath }, { uid: 61000, gid: 61001 });
    const st = fs.statSync(path.dirname(socketPath));
    // Not root: there is nothing to drop; the worker runs as the gateway's uid in a user namespace.
    const expected = IS_ROOT ? [61000, 61001] : [process.getuid?.(), process.getgid?.()];
    expect([report.uid, report.gid]).toEqual(expected);
    expect([st.uid, st.gid]).toEqual(expected);
  });

  it("works when the project lives under a 0700 directory (like /root)", async () => {
    const locked = temp.make("locked", 0o700);
    const project = path.join(locked, "project", "app");
    fs.mkdirSync(project, { recursive: true });
    const script = path.join(project, "worker.mjs");
    fs.copyFileSync(INSPECTOR, script);
    const runDir = path.join(locked, "run", "app");
    fs.mkdirSync(runDir, { recursive: true });
    const report = await inspect(sandbox, { socketPath: path.join(runDir, "w.sock") }, {
      script, cwd: path.join(locked, "project"), readOnlyPaths: [project], writablePaths: [runDir],
    });
    expect(report.cwd).toBe(path.join(locked, "project"));
    expect(report.uid).toBe(IS_ROOT ? 65534 : process.getuid?.());
    expect(fs.statSync(locked).mode & 0o777).toBe(0o700);
  });

  it("SIGKILL of the sandbox takes the worker and its descendants down", async () => {
    const marker = `plothost-kill-${randomUUID()}`;
    const running = await startInspector(sandbox, { socketPath: socketIn(), spawnChild: true, marker });
    const report = await fetchReport(running.socketPath);
    expect(report.childPid).toBeGreaterThan(0);
    // The launcher, bwrap's init, the worker and its child all carry the marker in their argv.
    expect(pidsWithMarker(marker).length).toBeGreaterThanOrEqual(3);
    await stop(running);
    const gone = await eventually(() => pidsWithMarker(marker).length === 0, 5000);
    expect(gone, `still running: ${pidsWithMarker(marker).join(", ")}`).toBe(true);
  });

  it("SIGTERM reaches the worker so it can shut down gracefully", async () => {
    const running = await startInspector(sandbox, { socketPath: socketIn() });
    running.child.kill("SIGTERM");
    expect(await running.exited).toBe(0);
    expect(running.stdout()).toContain("got SIGTERM");
  });

  it("rejects specs that would fail obscurely or widen the sandbox", () => {
    const base = { command: process.execPath, args: [], env: {}, cwd: "/", readOnlyPaths: [], writablePaths: [] };
    const data = temp.make("data");
    fs.mkdirSync(path.join(data, "code"));
    const link = path.join(temp.make("links"), "data");
    fs.symlinkSync(data, link);
    const bad: Array<[SandboxSpec, RegExp]> = [
      [{ ...base, writablePaths: [data], readOnlyPaths: [path.join(data, "code")] }, /lies inside writable path/],
      [{ ...base, writablePaths: [link] }, /must be a directory \(not a file or symlink\)/],
      [{ ...base, command: "node" }, /command must be absolute/],
      [{ ...base, readOnlyPaths: ["/"] }, /expose the whole host/],
      [{ ...base, readOnlyPaths: ["relative/dir"] }, /must be absolute/],
      [{ ...base, writablePaths: [path.join(FIXTURE_DIR, "does-not-exist")] }, /does not exist/],
      [{ ...base, env: { "BAD=NAME": "x" } }, /is not an identifier/],
      [{ ...base, uid: 0 }, /positive integer/],
    ];
    for (const [spec, message] of bad) {
      expect(() => sandbox.spawn(spec)).toThrow(SandboxError);
      expect(() => sandbox.spawn(spec)).toThrow(message);
    }
  });
});
