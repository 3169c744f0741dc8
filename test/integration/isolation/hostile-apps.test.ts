// Hostile tenants (test/fixtures/hostile) served by a real gateway next to a well-behaved one: each attack fails
// or its worker is killed (and restarted), while the gateway and the neighbour keep serving. Limits are small so
// the attacks end quickly on a 2-core CI machine: 192 MiB, 64 tasks, half a core per worker.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cgroupDirOf, cpuMsIn } from "../sandbox/cgroup-files.ts";
import { eventually } from "../sandbox/sandbox-harness.ts";
import { HOSTILE, nextExit, reaches, startLoggedGateway, visit, type LoggedGateway } from "./isolation-harness.ts";

const APPS = ["snoop", "net-probe", "fork-bomb", "memory-hog", "busy-loop", "neighbour"];
const IS_ROOT = process.getuid?.() === 0;

let gw: LoggedGateway;
let tcp: net.Server;
let tcpConnections = 0;
let neighbourVisits = 0;

beforeAll(async () => {
  tcp = net.createServer((socket) => {
    tcpConnections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => tcp.listen(0, "127.0.0.1", resolve));
  // Layers 1-4 (uid, bwrap, seccomp, cgroups) on their own: Node's permission model (layer 5, on by default)
  // would refuse most of these attempts first (node-permission.test.ts shows that), hiding what the OS layers do.
  gw = await startLoggedGateway([
    "--node-permission", "off",
    "--worker-memory-limit", "192", "--worker-pids-limit", "64", "--worker-cpu-percent", "50",
    "--worker-health-interval", "2000", "--worker-start-timeout", "60000",
    ...APPS.map((a) => path.join(HOSTILE, `${a}.ts`)),
  ]);
  await Promise.all([...gw.gateway.supervisors.values()].map((s) => s.ready()));
}, 120_000);

afterAll(async () => {
  await gw?.close();
  await new Promise((resolve) => tcp?.close(resolve));
});

const supervisor = (name: string) => gw.gateway.supervisors.get(name)!;

/** The neighbour answers, with its visit count one up (its home survived whatever ran next door). */
async function neighbourServes(): Promise<void> {
  const { status, report } = await visit(`${gw.url}/neighbour`);
  expect(status).toBe(200);
  expect(report?.visits).toBe(++neighbourVisits);
}

/** uid of each app, as the gateway allocated it (`<data dir>/sandbox/tenants.json`). */
const allocated = (): Record<string, number> =>
  JSON.parse(fs.readFileSync(path.join(gw.dataDir, "sandbox", "tenants.json"), "utf8")).uids;

describe("hostile tenants next to a well-behaved one", () => {
  it("the gateway reports its isolation layers to admins, as at start-up", async () => {
    const res = await fetch(`${gw.url}/api/v1/admin/sandbox`);
    expect(res.status).toBe(200);
    const body = await res.json() as { kind: string; layers: string[]; warnings: string[] };
    expect(body.kind).toBe("bwrap");
    expect(body.warnings).toEqual([]);
    expect(body.layers).toEqual(expect.arrayContaining([
      "seccomp:deny-list", "no-nested-userns", "no-new-privs", "caps:none", "node:max-old-space-size",
      ...(IS_ROOT ? ["uid:per-app:200000-299999"] : []),
    ]));
    expect(body.layers.find((l) => l.startsWith("cgroup-v"))).toMatch(/memory,pids,cpu/);
    // As root every app has its own uid: the sandbox's default identity applies to none and is not listed.
    if (IS_ROOT) expect(body.layers.filter((l) => /^(uid|gid):\d+$/.test(l))).toEqual([]);
    const logged = gw.logs().find((l) => l.msg === "sandbox selected");
    expect(logged?.layers).toEqual(body.layers);
  });

  it("each app runs as its own uid, with a private home", async () => {
    await neighbourServes();
    const { report } = await visit(`${gw.url}/snoop`);
    const uids = allocated();
    expect(Object.keys(uids).sort()).toEqual(APPS.map((a) => `/${a}`).sort());
    expect(new Set(Object.values(uids)).size).toBe(APPS.length);
    if (IS_ROOT) {
      expect(report?.uid).toBe(uids["/snoop"]);
      const home = path.join(gw.dataDir, "sandbox", "homes", String(uids["/neighbour"]));
      const st = fs.statSync(home);
      expect([st.uid, st.mode & 0o777]).toEqual([uids["/neighbour"], 0o700]);
    }
    expect(report?.ownHomeWrite).toBe("ok");
  });

  it("reads neither /etc/shadow nor another tenant's data, sees only its own processes, makes no user namespace", async () => {
    const secret = path.join(gw.dataDir, "sandbox", "homes", String(allocated()["/neighbour"]), "secret.txt");
    fs.writeFileSync(secret, "the neighbour's secret");
    const { status, report } = await visit(`${gw.url}/snoop?path=${encodeURIComponent(secret)}`);
    expect(status).toBe(200);
    expect(report).toMatchObject({ shadow: "ENOENT", neighbourFile: "ENOENT", neighbourDir: "ENOENT", stolen: "" });
    // bwrap's init, the worker and tsx's esbuild service: no host process.
    expect(report?.processes).toBeLessThanOrEqual(3);
    expect(report?.userNamespace).toMatch(/Operation not permitted/);
    await neighbourServes();
  });

  it("cannot open a TCP connection to a server on the host's loopback", async () => {
    const { report } = await visit(`${gw.url}/net-probe?port=${(tcp.address() as net.AddressInfo).port}`);
    expect(report?.tcp).toBe("ECONNREFUSED");
    expect(tcpConnections).toBe(0);
  });

  it("a fork bomb is stopped by the pids limit while the neighbour keeps serving", async () => {
    const [bomb] = await Promise.all([visit(`${gw.url}/fork-bomb`), neighbourServes()]);
    expect(bomb.status).toBe(200);
    expect(bomb.report?.refused).toBe("EAGAIN");
    expect(bomb.report?.spawned).toBeGreaterThan(0);
    expect(bomb.report?.spawned).toBeLessThan(64);
    await neighbourServes();
  });

  it("a memory hog is OOM-killed, the reason logged with the limit, and restarted; the neighbour keeps serving", async () => {
    const hog = supervisor("memory-hog");
    const exit = nextExit(hog, 60_000);
    const page = visit(`${gw.url}/memory-hog`);
    await neighbourServes();
    expect(await exit).toEqual({ code: 137, signal: null, reason: "killed: out of memory (limit 192 MiB)" });
    expect((await page).status).toBeGreaterThanOrEqual(500);
    const note = gw.logs().find((l) => l.app === "memory-hog" && String(l.msg).includes("killed: out of memory"));
    expect(note?.msg).toMatch(/worker exited \(code 137, signal null, killed: out of memory \(limit 192 MiB\)\); restarting in \d+ ms/);
    await reaches(hog, "running", 60_000);
    await neighbourServes();
  });

  it("a busy loop is held to half a core and killed as hung, then restarted; the neighbour keeps serving", async () => {
    const spin = supervisor("busy-loop");
    const exit = nextExit(spin, 60_000);
    const page = visit(`${gw.url}/busy-loop`).catch((err: Error) => ({ status: 0, report: null, err }));
    const cpu = cgroupDirOf(spin.pid!, "cpu")!;
    // Wait for the loop to run, then time 300 ms of its CPU: at most half a core means at least 600 ms of wall
    // time (unlimited: 300 ms); a loaded machine only makes it slower.
    const before = cpuMsIn(cpu);
    expect(await eventually(() => cpuMsIn(cpu) - before >= 50, 20_000)).toBe(true);
    const start = cpuMsIn(cpu);
    const t0 = performance.now();
    expect(await eventually(() => cpuMsIn(cpu) - start >= 300, 20_000)).toBe(true);
    expect(performance.now() - t0).toBeGreaterThan(450);
    await neighbourServes();
    // Two missed health checks, 2 s apart: SIGKILL. Not an OOM kill, so no reason.
    expect(await exit).toEqual({ code: null, signal: "SIGKILL", reason: null });
    expect((await page).status).not.toBe(200);
    await reaches(spin, "running", 60_000);
    await neighbourServes();
  });
});
