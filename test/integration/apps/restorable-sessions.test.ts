/**
 * Session survival (issue 9): a restorable app's session is saved (snapshot + change log) as it changes, a client's
 * change is acknowledged only once saved, and after its worker is killed the session comes back on the new worker
 * with its data and its re-attached callbacks. A non-restorable app's session comes back fresh.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pullSession, type ClientSession } from "../../../client/client-session.ts";
import type { Document, Model } from "../../../shared/index.ts";
import type { WorkerSupervisor } from "../../../gateway/src/worker-supervisor.ts";
import { projectRoot, startGateway } from "../../helpers/start-gateway.ts";
import { appsClient, deployToken, tarGzOf } from "./app-helpers.ts";
import { REDIS_URL, deleteKeys, redisTestPrefix } from "../../fixtures/storage/redis.ts";
import { requestWorker } from "../../../gateway/src/worker-request.ts";
import { RESTORE_PATH, PERSISTED_PATH } from "../../../shared/protocol/worker-http.ts";

const fixture = (name: string) => path.join(projectRoot, "test", "fixtures", "apps", name);
const named = (doc: Document, name: string) => doc.get_model_by_name(name) as Model;
/** A column of the "rows" data source (data decodes as a Map or a plain object). */
const rows = (doc: Document, column: string): unknown => {
  const data = named(doc, "rows").get("data") as Map<string, unknown> | Record<string, unknown>;
  const values = data instanceof Map ? data.get(column) : data[column];
  return ArrayBuffer.isView(values) ? Array.from(values as unknown as ArrayLike<number>) : values;
};

/** Resolves once `check(doc)` holds (checked now and on every change), or fails after `ms`. */
function until(doc: Document, check: (doc: Document) => boolean, ms = 10_000): Promise<void> {
  if (check(doc)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`condition not met within ${ms} ms`));
    }, ms);
    const off = doc.on_change(() => {
      if (!check(doc)) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/** Kills the worker with SIGKILL and resolves once the supervisor runs a new one. */
async function killWorker(sup: WorkerSupervisor): Promise<void> {
  const old = sup.pid!;
  const restarted = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("worker not restarted within 30 s")), 30_000);
    const on = (s: string) => {
      if (s !== "running" || sup.pid === old) return;
      clearTimeout(timer);
      sup.off("state", on);
      resolve();
    };
    sup.on("state", on);
  });
  process.kill(old, "SIGKILL");
  await restarted;
}

describe("restorable sessions survive their worker", { timeout: 120_000 }, () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  const open: ClientSession[] = [];
  beforeAll(async () => {
    gw = await startGateway([fixture("restorable.ts"), fixture("not-restorable.ts"), "--worker-restart-backoff", "50"]);
  });
  afterAll(async () => {
    for (const s of open) await s.close().catch(() => {});
    await gw?.close();
  });
  const pull = async (app: string, sessionId?: string) => {
    const s = await pullSession({ url: `${gw.url}/${app}`, sessionId });
    open.push(s);
    return s;
  };

  it("an acknowledged change and the callback's results come back after kill -9, and the callback still works", async () => {
    const sup = gw.supervisors.get("restorable")!;
    const first = await pull("restorable");
    expect(named(first.document, "status").get("text")).toBe("built");
    named(first.document, "n").set("value", 7);
    await first.flush(); // acknowledged: saved
    await until(first.document, (d) => named(d, "status").get("text") === "built\nrows:7");

    await killWorker(sup);
    expect(sup.sessions.has(first.id)).toBe(false);
    const again = await pull("restorable", first.id);
    expect(sup.sessions.has(first.id)).toBe(true);
    expect(named(again.document, "n").get("value")).toBe(7);
    expect(rows(again.document, "sq")).toEqual([0, 1, 4, 9, 16, 25, 36]);
    // `restore` ran (not the app's main function) and re-attached the slider's callback.
    expect(named(again.document, "status").get("text")).toBe("restored\nrows:7");
    named(again.document, "n").set("value", 3);
    await again.flush();
    await until(again.document, (d) => named(d, "status").get("text") === "restored\nrows:3");

    // The restored session keeps being saved: a second kill keeps the change made after the first.
    await killWorker(sup);
    // Concurrent requests for the session share one restore.
    const restoring = sup.prepareSession(first.id);
    expect(sup.prepareSession(first.id)).toBe(restoring);
    await restoring;
    expect(sup.sessions.has(first.id)).toBe(true);
    const third = await pull("restorable", first.id);
    expect(named(third.document, "n").get("value")).toBe(3);
    expect(rows(third.document, "i")).toEqual([0, 1, 2]);
    expect(named(third.document, "status").get("text")).toBe("restored\nrows:3");
  });

  it("a deployed restorable app's session comes back on its pool's new worker", async () => {
    const apps = appsClient(gw.url, await deployToken(gw.url));
    const deployed = await apps.deploy("keeps", await tarGzOf({ "keeps.ts": fs.readFileSync(fixture("restorable.ts"), "utf8") }));
    expect((await apps.waitForJob("keeps", deployed.body.deploy.id)).state).toBe("done");
    const first = await pull("defaultuser/keeps");
    named(first.document, "n").set("value", 5);
    await first.flush();
    const pool = gw.apps.router.get("defaultuser", "keeps")!;
    const old = pool.workerInfo[0]!.pid!;
    process.kill(old, "SIGKILL");
    const deadline = Date.now() + 30_000;
    while (!pool.workerInfo.some((w) => w.pid !== old && w.pid !== null && w.state === "running")) {
      if (Date.now() > deadline) throw new Error("the pool's worker was not restarted within 30 s");
      await new Promise((r) => setTimeout(r, 20));
    }
    const again = await pull("defaultuser/keeps", first.id);
    expect(named(again.document, "status").get("text")).toBe("restored\nrows:5");
    expect(rows(again.document, "i")).toEqual([0, 1, 2, 3, 4]);
  });

  it("a non-restorable app's session comes back fresh: its app runs again", async () => {
    const sup = gw.supervisors.get("not-restorable")!;
    const first = await pull("not-restorable");
    named(first.document, "note").set("text", "changed");
    await first.flush();
    await killWorker(sup);
    const again = await pull("not-restorable", first.id);
    expect(named(again.document, "note").get("text")).toBe("built");
  });

  it("the worker's internal endpoints refuse bad input with a JSON error, and a non-restorable app refuses restores", async () => {
    const restorable = await gw.supervisors.get("restorable")!.ready();
    const plain = await gw.supervisors.get("not-restorable")!.ready();
    const restore = { id: "x", snapshot: { seq: 1, doc: { roots: [] } }, changes: [] };
    expect(await requestWorker(restorable, RESTORE_PATH, { body: { id: "x" }, timeoutMs: 5000 })).toMatchObject({ status: 400, body: { error: { code: "bad_request" } } });
    expect(await requestWorker(restorable, PERSISTED_PATH, { body: { seq: "1" }, timeoutMs: 5000 })).toMatchObject({ status: 400, body: { error: { code: "bad_request" } } });
    expect(await requestWorker(plain, RESTORE_PATH, { body: restore, timeoutMs: 5000 })).toMatchObject({ status: 400, body: { error: { message: expect.stringMatching(/not restorable/) } } });
    const unreadable = { ...restore, snapshot: { seq: 1, doc: { roots: [{ type: "object", name: "NoSuchModel", id: "m" }] } } };
    expect(await requestWorker(restorable, RESTORE_PATH, { body: unreadable, timeoutMs: 5000 })).toMatchObject({ status: 500, body: { error: { code: "app_session_failed" } } });
  });
});

describe("saved sessions: forgotten when the worker ends them, kept across a gateway restart (Redis)", { timeout: 120_000 }, () => {
  it("a session the worker ended as unused is not restored: the next request for its id gets a fresh one", async () => {
    const gw = await startGateway([fixture("restorable.ts"), "--unused-session-lifetime", "200", "--check-unused-sessions", "100"]);
    try {
      const sup = gw.supervisors.get("restorable")!;
      const first = await pullSession({ url: `${gw.url}/restorable` });
      named(first.document, "n").set("value", 5);
      await first.flush();
      const ended = new Promise<void>((resolve) => sup.on("sessions", (n: number) => void (n === 0 && resolve())));
      await first.close();
      await ended;
      const again = await pullSession({ url: `${gw.url}/restorable`, sessionId: first.id });
      expect(named(again.document, "status").get("text")).toBe("built");
      expect(named(again.document, "n").get("value")).toBe(0);
      await again.close();
    } finally {
      await gw.close();
    }
  });

  it("with Redis, a session saved by one gateway is restored by the next one (a shutdown does not delete it)", async () => {
    const args = [
      fixture("restorable.ts"), "--backend", "redis", "--redis-url", REDIS_URL, "--job-queue", "local", "--redis-prefix", redisTestPrefix(),
    ];
    const gw1 = await startGateway(args);
    let sessionId: string;
    try {
      const first = await pullSession({ url: `${gw1.url}/restorable` });
      sessionId = first.id;
      named(first.document, "n").set("value", 4);
      await first.flush();
      await first.close();
    } finally {
      await gw1.close();
    }
    const gw2 = await startGateway(args);
    try {
      const again = await pullSession({ url: `${gw2.url}/restorable`, sessionId });
      expect(named(again.document, "status").get("text")).toBe("restored\nrows:4");
      expect(rows(again.document, "i")).toEqual([0, 1, 2, 3]);
      await again.close();
    } finally {
      await gw2.close();
      await deleteKeys([args[args.length - 1]]);
    }
  });
});
