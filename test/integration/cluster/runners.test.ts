/**
 * The cluster topology of issue 9 as processes on loopback: one `plothost serve --num-procs 2 --runners` (two
 * gateway processes), two `plothost runner` worker hosts, real Redis (sessions, documents, jobs, runner
 * registrations) and PostgreSQL (accounts, app records). Deployed apps' sessions spread over both runners; a
 * runner's host dies and its restorable sessions come back on the other runner with their data; a published
 * document streamed through one gateway process reaches viewers on both, through a rolling restart of both.
 */
import fs from "node:fs";
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { PID_APP, alive, clusterScratch } from "./cluster-helpers.ts";
import type { Document, Model } from "../../../shared/index.ts";
import { pullSession, type ClientSession } from "../../../client/client-session.ts";
import { startServe } from "../client/run-cli.ts";
import { appsClient, deployToken, fixture, tarGzOf } from "../apps/app-helpers.ts";
import { postgresDatabase } from "../auth/auth-helpers.ts";
import { ReconnectingViewer } from "./reconnecting-viewer.ts";
import { publishSeqDocument, seqOf, startWriter } from "./stream-writer.ts";
import { killRunners, startRunner } from "./runner-process.ts";
import { parseRunnerTarget } from "../../../gateway/src/runner/runner-protocol.ts";
import { RUNNER_AUTH_HEADER, RUNNER_WORKER_HEADER, runnerAuth } from "../../../gateway/src/runner/runner-auth.ts";

const scratch = clusterScratch("runners");
const { tmp, prefix } = scratch;
const db = postgresDatabase();
const REDIS = "redis://127.0.0.1:6379";

const named = (doc: Document, name: string) => doc.get_model_by_name(name) as Model;
const rowCount = (doc: Document): number => {
  const data = named(doc, "rows").get("data") as Map<string, ArrayLike<number>>;
  return (data instanceof Map ? data.get("i") : (data as Record<string, ArrayLike<number>>).i)?.length ?? 0;
};

/** Resolves once `check()` holds (polled every 20 ms), or fails after `ms`. */
async function until(what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("gateways and runners on loopback: real Redis and PostgreSQL", { timeout: 240_000 }, () => {
  const redis = new Redis(REDIS);
  const sessions: ClientSession[] = [];
  afterAll(async () => {
    await Promise.all(sessions.map((s) => s.close().catch(() => {})));
    killRunners();
    redis.disconnect();
    await scratch.cleanup();
    await db.drop();
  });

  /** The runner holding an app session, from the session registry every gateway reads. */
  const runnerOf = async (sessionId: string): Promise<string | null> => {
    const target = await redis.get(`${prefix}session:${sessionId}`);
    return target ? parseRunnerTarget(target)?.runnerId ?? null : null;
  };

  it("spreads sessions, survives a runner's death (restorable sessions) and a rolling restart", async () => {
    const secret = randomBytes(24).toString("hex");
    const shared = ["--redis-url", REDIS, "--redis-prefix", prefix, "--runner-secret", secret, "--runner-heartbeat", "300"];
    // Sessions without a connection live a minute on the runners: long enough to outlast the rolling restart below.
    const onRunners = [...shared, "--unused-session-lifetime", "60000"];
    const runners = await Promise.all([startRunner(onRunners, tmp, "runner-a"), startRunner(onRunners, tmp, "runner-b")]);
    const served = await startServe([
      "--num-procs", "2", "--backend", "redis", "--runners", ...shared, "--database-url", db.url, "--max-procs", "2",
      "--port", "0", PID_APP,
    ], {}, tmp);
    await served.printed("primary process: ");
    const primary = Number(/primary process: (\d+)/.exec(served.out())![1]);
    const base = served.url.replace("localhost", "127.0.0.1");

    // Every gateway process sees both runners (Prometheus).
    const liveRunners = async () => Number(/^plothost_runners (\d+)$/m.exec(await (await fetch(`${base}/metrics`)).text())?.[1]);
    expect(await liveRunners()).toBe(2);
    const listed = (await (await fetch(`${base}/api/v1/admin/runners`)).json()) as { runners: Array<{ id: string; address: string }> };
    expect(listed.runners.map((r) => [r.id, r.address]).sort()).toEqual(runners.map((r) => [r.id, r.address]).sort());

    // A restorable app, deployed through the cluster: its workers run on the runners, never in a gateway.
    const apps = appsClient(base, await deployToken(base));
    const deployed = await apps.deploy("counter", await tarGzOf({ "counter.ts": fs.readFileSync(fixture("restorable.ts"), "utf8") }));
    expect(deployed.status).toBe(202);
    expect((await apps.waitForJob("counter", deployed.body.deploy.id)).state).toBe("done");
    const url = `${base}/defaultuser/counter`;

    // Sessions spread over both runners (each connection may land on either gateway process).
    const on = new Map<string, string>();
    for (let i = 0; i < 12 && new Set(on.values()).size < 2; i++) {
      const s = await pullSession({ url });
      sessions.push(s);
      await until("session registered", async () => (await runnerOf(s.id)) !== null);
      on.set(s.id, (await runnerOf(s.id))!);
    }
    expect(new Set(on.values())).toEqual(new Set(runners.map((r) => r.id)));
    // The app's workers run on runners, not in a gateway: the API names each one's runner, and no local pid.
    const described: Array<{ pid: number | null; runner: string | null }> = [];
    for (let i = 0; i < 4; i++) described.push(...(await apps.api("GET", "/counter")).body.workers as Array<{ pid: number | null; runner: string | null }>);
    expect(described.length).toBeGreaterThan(0);
    for (const w of described) expect([w.pid, runners.some((r) => r.id === w.runner)]).toEqual([null, true]);

    // A runner serves gateways only: without a proof of the secret, for a worker it does not run, or outside the
    // worker's app, it answers with a JSON error and forwards nothing.
    const target = parseRunnerTarget((await redis.get(`${prefix}session:${sessions[0]!.id}`))!)!;
    const at = `http://${target.address}`;
    const refused = async (p: string, headers: Record<string, string>) => {
      const res = await fetch(`${at}${p}`, { headers });
      return { status: res.status, code: ((await res.json()) as { error: { code: string } }).error.code };
    };
    const proof = (w: string) => ({ [RUNNER_WORKER_HEADER]: w, [RUNNER_AUTH_HEADER]: runnerAuth(secret, w) });
    expect((await fetch(`${at}/healthz`)).status).toBe(200);
    expect(await refused("/defaultuser/counter", {})).toEqual({ status: 401, code: "runner_auth_failed" });
    expect(await refused("/defaultuser/counter", { [RUNNER_WORKER_HEADER]: target.workerId, [RUNNER_AUTH_HEADER]: runnerAuth("x".repeat(48), target.workerId) }))
      .toEqual({ status: 401, code: "runner_auth_failed" });
    expect(await refused("/defaultuser/counter", proof("nosuchworker"))).toEqual({ status: 503, code: "worker_gone" });
    expect(await refused("/someone/else", proof(target.workerId))).toEqual({ status: 404, code: "not_found" });
    expect((await fetch(`${at}/defaultuser/counter`, { headers: proof(target.workerId) })).status).toBe(200);

    // A session with data: the slider's server-side callback fills the data source.
    const victim = runners.find((r) => r.id === [...on.values()][0])!;
    const survivor = runners.find((r) => r !== victim)!;
    const first = sessions.find((s) => on.get(s.id) === victim.id)!;
    named(first.document, "n").set("value", 7);
    await first.flush();
    await until("callback's rows", () => rowCount(first.document) === 7);

    // The victim's host dies. Its sessions are reported lost; the client reconnects with its session id (as
    // BokehJS would) and finds its session restored on the other runner, data and callbacks included.
    await victim.killHost();
    await served.printed(`runner ${victim.id} is gone`);
    await until("the metrics count one runner", async () => (await liveRunners()) === 1);
    expect(served.out()).toMatch(new RegExp(`runner ${victim.id} is gone \\(no heartbeat\\): \\d+ sessions? of this worker lost`));
    let back: ClientSession | null = null;
    await until("reconnected", async () => {
      back = await pullSession({ url, sessionId: first.id, timeoutMs: 5000 }).catch(() => null);
      return back !== null;
    }, 30_000);
    const restored = back! as ClientSession;
    sessions.push(restored);
    expect(String(named(restored.document, "status").get("text"))).toMatch(/^restored/);
    expect(named(restored.document, "n").get("value")).toBe(7);
    expect(rowCount(restored.document)).toBe(7);
    expect(await runnerOf(first.id)).toBe(survivor.id);
    named(restored.document, "n").set("value", 9);
    await restored.flush();
    await until("re-attached callback's rows", () => rowCount(restored.document) === 9);
    // New sessions go to the live runner only.
    for (let i = 0; i < 3; i++) {
      const s = await pullSession({ url });
      sessions.push(s);
      await until("session registered", async () => (await runnerOf(s.id)) !== null);
      expect(await runnerOf(s.id)).toBe(survivor.id);
    }

    // A published document streamed through the API (either process) reaches viewers on both processes, through a
    // rolling restart of both gateway processes: no acknowledged point lost or repeated.
    const heldBy = await redis.get(`${prefix}session:${restored.id}`);
    const { id, sourceId } = await publishSeqDocument(base);
    const source = { id: sourceId };
    const viewers: ReconnectingViewer[] = [];
    for (let i = 0; i < 6 && new Set(viewers.flatMap((v) => v.processes)).size < 2; i++) viewers.push(await ReconnectingViewer.open(base, id));
    expect(new Set(viewers.flatMap((v) => v.processes)).size).toBe(2);
    const writer = startWriter(base, id, source.id);
    await viewers[0]!.until((d) => seqOf(d, source.id).length >= 5);
    process.kill(primary, "SIGHUP");
    // Each new process must start and be ready before the old one stops (60 s covers a loaded 2-core CI machine).
    await served.printed("rolling restart done: ", 60_000);
    const ackedAtRestart = writer.acked.length;
    await viewers[0]!.until((d) => seqOf(d, source.id).length >= ackedAtRestart + 5);
    await writer.stop();
    const expected = Array.from({ length: writer.acked.length }, (_, i) => i);
    expect(writer.acked).toEqual(expected);
    for (const v of viewers) {
      await v.until((d) => seqOf(d, source.id).at(-1) === expected.length - 1);
      expect(seqOf(v.doc!, source.id)).toEqual(expected);
      expect(v.errors).toEqual([]);
      expect(v.closes).toContain(1001);
      v.close();
    }

    // The app session on the runner outlived both gateway processes: reconnecting finds it as it was, on the same
    // worker (not restored anew: that would be another worker).
    const again = await pullSession({ url, sessionId: restored.id });
    sessions.push(again);
    expect(rowCount(again.document)).toBe(9);
    expect(await redis.get(`${prefix}session:${restored.id}`)).toBe(heldBy);

    expect(await served.stop("SIGTERM")).toBe(0);
    expect(await survivor.stop()).toBe(0);
    expect(alive(survivor.pid)).toBe(false);
    expect(await redis.smembers(`${prefix}runners`)).toEqual([]);
  });
});
