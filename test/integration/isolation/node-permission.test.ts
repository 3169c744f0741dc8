// Layer 5, Node's permission model (gateway/src/worker-launch): with --node-permission on, a worker runs as a
// JavaScript bundle under `--experimental-permission` with fs allow-lists, so an app that reads outside its
// allow-list, starts a process or a worker thread gets ERR_ACCESS_DENIED while a well-behaved app serves. The
// plain sandbox shows the layer alone (nothing else hides the host's files there); `off` is the control.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { HOSTILE, reaches, startLoggedGateway, visit, type LoggedGateway } from "./isolation-harness.ts";

let gw: LoggedGateway | undefined;
const tmpDirs: string[] = [];
afterEach(async () => {
  await gw?.close();
  gw = undefined;
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A gateway serving the fs probe and the well-behaved neighbour; returns what the probe saw of the neighbour's file. */
async function probe(sandbox: "plain" | "bwrap", permission: "on" | "off") {
  gw = await startLoggedGateway([
    "--sandbox", sandbox, "--node-permission", permission, "--worker-start-timeout", "60000",
    path.join(HOSTILE, "fs-probe.ts"), path.join(HOSTILE, "neighbour.ts"),
  ]);
  // The neighbour's own file (its app folder: another tenant's code and data, as far as the probe is concerned).
  const secret = path.join(gw.dataDir, "neighbour-secret.txt");
  fs.writeFileSync(secret, "the neighbour's secret", { mode: 0o644 });
  const res = await visit(`${gw.url}/fs-probe?path=${encodeURIComponent(secret)}`);
  const neighbour = await visit(`${gw.url}/neighbour`);
  const status = await (await fetch(`${gw.url}/api/v1/admin/sandbox`)).json() as { layers: string[] };
  return { ...res, neighbour, layers: status.layers };
}

describe("--node-permission on", () => {
  it("plain sandbox: the app cannot read host or neighbour files, start processes or threads; the neighbour serves", async () => {
    const { status, report, neighbour, layers } = await probe("plain", "on");
    expect(status).toBe(200);
    expect(report).toMatchObject({
      hostname: "ERR_ACCESS_DENIED", neighbourFile: "ERR_ACCESS_DENIED", stolen: "",
      childProcess: "ERR_ACCESS_DENIED", workerThread: "ERR_ACCESS_DENIED", ownModule: "ok", ownHomeWrite: "ok",
    });
    expect(neighbour.status).toBe(200);
    expect(neighbour.report?.visits).toBe(1);
    expect(layers).toContain("node:permission");
  }, 90_000);

  it("bwrap: the model denies before the (absent) file is even looked up", async () => {
    const { status, report, neighbour, layers } = await probe("bwrap", "on");
    expect(status).toBe(200);
    expect(report).toMatchObject({
      hostname: "ERR_ACCESS_DENIED", neighbourFile: "ERR_ACCESS_DENIED", childProcess: "ERR_ACCESS_DENIED",
      workerThread: "ERR_ACCESS_DENIED", ownModule: "ok", ownHomeWrite: "ok",
    });
    expect(neighbour).toMatchObject({ status: 200, report: { visits: 1 } });
    expect(layers).toContain("node:permission");
  }, 90_000);
});

describe("--node-permission on, an app that does not compile", () => {
  it("exits like a crashed worker, with the compiler's file:line:column in the app's log", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-broken-"));
    tmpDirs.push(dir);
    fs.writeFileSync(path.join(dir, "broken.ts"), "export default function (doc) {\n  doc.add_root(;\n}\n");
    gw = await startLoggedGateway(["--node-permission", "on", path.join(dir, "broken.ts")]);
    const sup = gw.gateway.supervisors.get("broken")!;
    // The gateway starts it at once; each attempt fails to compile and goes to backoff, as a crashed worker does.
    await reaches(sup, "backoff", 30_000);
    const notes = gw.logs().map((l) => String(l.msg ?? "")).join("\n");
    expect(notes).toMatch(/could not prepare the worker: compile failed:\nbroken\.ts:2:\d+: /);
    expect(notes).toMatch(/worker exited \(code 1, signal null\); restarting in \d+ ms/);
    const ready = sup.ready().then(() => "ready", (e: Error) => e.message);
    await sup.close();
    expect(await ready).not.toBe("ready");
  }, 60_000);
});

describe("--node-permission off (the control: what the layer takes away)", () => {
  it("plain sandbox: the same app reads the host's and the neighbour's files and starts processes", async () => {
    const { status, report, layers } = await probe("plain", "off");
    expect(status).toBe(200);
    expect(report).toMatchObject({
      hostname: "ok", neighbourFile: "ok", stolen: "the neighbour's secret", childProcess: "ok", workerThread: "ok", ownHomeWrite: "ok",
    });
    expect(layers).not.toContain("node:permission");
  }, 90_000);
});
