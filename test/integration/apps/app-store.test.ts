import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../../gateway/src/db/open-database.ts";
import { PrismaAppStore } from "../../../gateway/src/apps/prisma-app-store.ts";
import { ShortPathTakenError } from "../../../gateway/src/apps/app-store.ts";
import { projectRoot } from "../../helpers/start-gateway.ts";
import { DATABASES, type TestDatabase } from "../auth/auth-helpers.ts";

const MODULE = { format: "module", entry: "hello.ts", root: "", files: 1, bytes: 10 } as const;

// The app records live in the accounts database: the same rules on SQLite and on the real PostgreSQL.
describe.each(DATABASES)("PrismaAppStore on $kind", { timeout: 60_000 }, ({ make }) => {
  let tdb: TestDatabase;
  let database: Database;
  let store: PrismaAppStore;
  let root: string;
  /** A fake uploaded archive (the store only moves it into place). */
  const upload = (content = "archive") => {
    const f = path.join(root, ".incoming", `${Math.random()}.tar.gz`);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, content);
    return f;
  };

  beforeAll(async () => {
    tdb = make();
    database = await openDatabase(tdb.url, projectRoot);
    root = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-appstore-"));
    store = new PrismaAppStore(database.db, root);
    for (const username of ["Alice", "bob"]) await database.db.user.create({ data: { username, usernameKey: username.toLowerCase() } });
  });
  afterAll(async () => {
    await database?.close();
    await tdb?.drop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("numbers versions per app, keeps names per user, and reads back what was written", async () => {
    const a1 = await store.addVersion("alice", "sales", upload("v1"), MODULE);
    expect(a1.version).toMatchObject({ version: 1, status: "stored", format: "module", entry: "hello.ts", archiveBytes: 2 });
    expect(a1.app).toMatchObject({ owner: "Alice", name: "sales", currentVersion: null, deleting: false, shortPath: null });
    expect(fs.readFileSync(store.layout.versionPaths("alice", "sales", 1).archive, "utf8")).toBe("v1");
    expect((await store.addVersion("ALICE", "sales", upload(), MODULE)).version.version).toBe(2);
    expect((await store.addVersion("bob", "sales", upload(), MODULE)).version.version).toBe(1);

    await store.updateVersion("alice", "sales", 2, { status: "failed", error: "boom" });
    await store.setCurrent("alice", "sales", 1);
    const app = (await store.get("alice", "sales"))!;
    expect(app.currentVersion).toBe(1);
    expect(app.versions.map((v) => [v.version, v.status, v.error])).toEqual([[1, "stored", null], [2, "failed", "boom"]]);
    expect((await store.list("alice")).map((a) => a.name)).toEqual(["sales"]);
    expect((await store.list()).map((a) => `${a.owner}/${a.name}`)).toEqual(["Alice/sales", "bob/sales"]);
    expect(await store.get("carol", "sales")).toBeNull();
  });

  it("keeps the last 50 job ids, oldest first", async () => {
    for (let i = 0; i < 55; i++) await store.addJob("bob", "sales", `job-${i}`);
    const { jobs } = (await store.get("bob", "sales"))!;
    expect(jobs).toHaveLength(50);
    expect(jobs[0]).toBe("job-5");
    expect(jobs[49]).toBe("job-54");
  });

  it("takes a job id it has seen before as a new job (the queue's Redis was emptied): no conflict, newest last", async () => {
    await store.addJob("bob", "sales", "job-7");
    const { jobs } = (await store.get("bob", "sales"))!;
    expect(jobs.at(-1)).toBe("job-7");
    expect(jobs.filter((j) => j === "job-7")).toHaveLength(1);
  });

  it("gives one app a short path at a time, and refuses a taken one", async () => {
    expect((await store.setShortPath("alice", "sales", "sales")).shortPath).toBe("sales");
    expect((await store.findByShortPath("sales"))?.owner).toBe("Alice");
    await expect(store.setShortPath("bob", "sales", "sales")).rejects.toBeInstanceOf(ShortPathTakenError);
    await store.setShortPath("alice", "sales", null);
    expect(await store.findByShortPath("sales")).toBeNull();
  });

  it("removes old versions with their files, never the current one", async () => {
    await store.addVersion("alice", "sales", upload(), MODULE);
    const app = await store.removeVersions("alice", "sales", [1, 2]); // 1 is current
    expect(app.versions.map((v) => v.version)).toEqual([1, 3]);
    expect(fs.existsSync(store.layout.versionPaths("alice", "sales", 2).dir)).toBe(false);
    expect(fs.existsSync(store.layout.versionPaths("alice", "sales", 1).dir)).toBe(true);
  });

  it("a user who owns apps cannot be deleted until the apps are discarded; discarding moves the files aside", async () => {
    const alice = (await database.db.user.findUnique({ where: { usernameKey: "alice" } }))!;
    await expect(database.db.user.delete({ where: { id: alice.id } })).rejects.toMatchObject({ code: expect.stringMatching(/^P20(03|14)$/) });
    const dir = store.layout.appDir("alice", "sales");
    const trash = await store.discard("alice", "sales");
    expect(store.layout.isTrash(trash)).toBe(true);
    expect(fs.existsSync(dir)).toBe(false);
    expect(fs.readdirSync(path.join(trash, "versions")).sort()).toEqual(["1", "3"]);
    expect(await store.get("alice", "sales")).toBeNull();
    expect(await database.db.appVersion.count({ where: { app: { ownerId: alice.id } } })).toBe(0);
    await database.db.user.delete({ where: { id: alice.id } });
    expect(store.layout.isTrash(path.join(store.layout.trashDir, "..", "bob"))).toBe(false);
  });

  it("remove() forgets the app and deletes its files", async () => {
    const dir = store.layout.appDir("bob", "sales");
    expect(fs.existsSync(dir)).toBe(true);
    await store.remove("bob", "sales");
    expect(fs.existsSync(dir)).toBe(false);
    expect(await store.list()).toEqual([]);
  });
});
