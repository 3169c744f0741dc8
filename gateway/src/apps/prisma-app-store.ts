import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import type { App, AppJob, AppVersion, User } from "../../../prisma/generated/sqlite/client.ts";
import { KeyedLock } from "../../../shared/storage/keyed-lock.ts";
import type { Db } from "../db/prisma-client.ts";
import type { ArchiveInfo } from "./archive.ts";
import { DeploymentLayout, ShortPathTakenError, type AppRecord, type AppStore, type VersionRecord } from "./app-store.ts";

const KEPT_JOBS = 50;
const code = (err: unknown): string | undefined => (err as { code?: string } | null)?.code;
const keyOf = (owner: string, name: string) => `${owner.toLowerCase()}/${name}`;

type AppRow = App & { owner: User; versions: AppVersion[]; jobs: AppJob[] };
const WITH = { owner: true, versions: { orderBy: { version: "asc" } }, jobs: { orderBy: { id: "asc" } } } as const;

function toVersion(v: AppVersion): VersionRecord {
  return {
    version: v.version, createdAt: v.createdAt.toISOString(), archiveBytes: v.archiveBytes,
    format: v.format === "module" ? "module" : "directory", entry: v.entry,
    status: v.status === "ready" || v.status === "failed" ? v.status : "stored", error: v.error,
  };
}

function toApp(a: AppRow): AppRecord {
  return {
    owner: a.owner.username, name: a.name, createdAt: a.createdAt.toISOString(), updatedAt: a.updatedAt.toISOString(),
    currentVersion: a.currentVersion, deleting: a.deleting, shortPath: a.shortPath,
    versions: a.versions.map(toVersion), jobs: a.jobs.map((j) => j.jobId),
  };
}

/**
 * AppStore over the accounts database (Prisma: the App, AppVersion and AppJob models, SQLite or PostgreSQL) with
 * the files on disk. Changes to one app run one at a time in this process (a keyed lock); across processes the
 * unique keys (owner + name, app + version number) keep two writers from making the same row twice.
 */
export class PrismaAppStore implements AppStore {
  readonly layout: DeploymentLayout;
  private readonly lock = new KeyedLock();

  constructor(private readonly db: Db, root: string) {
    this.layout = new DeploymentLayout(root);
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  }

  async list(owner?: string): Promise<AppRecord[]> {
    const rows = await this.db.app.findMany({
      where: owner === undefined ? {} : { owner: { usernameKey: owner.toLowerCase() } }, include: WITH,
    });
    return rows.map(toApp).sort((a, b) => a.owner.toLowerCase().localeCompare(b.owner.toLowerCase()) || a.name.localeCompare(b.name));
  }

  async get(owner: string, name: string): Promise<AppRecord | null> {
    const row = await this.row(owner, name);
    return row ? toApp(row) : null;
  }

  async findByShortPath(shortPath: string): Promise<AppRecord | null> {
    const row = await this.db.app.findUnique({ where: { shortPath }, include: WITH });
    return row ? toApp(row) : null;
  }

  addVersion(owner: string, name: string, archiveFile: string, info: ArchiveInfo): Promise<{ app: AppRecord; version: VersionRecord }> {
    return this.lock.run(keyOf(owner, name), async () => {
      const user = await this.db.user.findUnique({ where: { usernameKey: owner.toLowerCase() } });
      if (!user) throw new Error(`no user ${owner}`);
      const app = await this.db.app.upsert({
        where: { ownerId_name: { ownerId: user.id, name } }, create: { ownerId: user.id, name }, update: { updatedAt: new Date() },
      });
      const last = await this.db.appVersion.findFirst({ where: { appId: app.id }, orderBy: { version: "desc" } });
      const number = (last?.version ?? 0) + 1;
      const paths = this.layout.versionPaths(owner, name, number);
      fs.mkdirSync(paths.dir, { recursive: true, mode: 0o755 });
      fs.renameSync(archiveFile, paths.archive);
      const row = await this.db.appVersion.create({
        data: { appId: app.id, version: number, archiveBytes: fs.statSync(paths.archive).size, format: info.format, entry: info.entry },
      });
      return { app: toApp((await this.row(owner, name))!), version: toVersion(row) };
    });
  }

  updateVersion(owner: string, name: string, version: number, patch: Partial<Pick<VersionRecord, "status" | "error">>): Promise<AppRecord> {
    return this.change(owner, name, async (app) => {
      await this.db.appVersion.updateMany({ where: { appId: app.id, version }, data: patch });
    });
  }

  setCurrent(owner: string, name: string, version: number): Promise<AppRecord> {
    return this.change(owner, name, async (app) => {
      await this.db.app.update({ where: { id: app.id }, data: { currentVersion: version } });
    });
  }

  addJob(owner: string, name: string, jobId: string): Promise<AppRecord> {
    return this.change(owner, name, async (app) => {
      // A job id seen before names a new job now: the queue numbers jobs afresh when its Redis was emptied or its
      // prefix changed. The old entry pointed at a job the queue no longer has; the id moves to the newest place.
      await this.db.appJob.deleteMany({ where: { appId: app.id, jobId } });
      await this.db.appJob.create({ data: { appId: app.id, jobId } });
      const old = await this.db.appJob.findMany({ where: { appId: app.id }, orderBy: { id: "desc" }, skip: KEPT_JOBS, select: { id: true } });
      if (old.length > 0) await this.db.appJob.deleteMany({ where: { id: { in: old.map((j) => j.id) } } });
    });
  }

  markDeleting(owner: string, name: string): Promise<AppRecord> {
    return this.change(owner, name, async (app) => {
      await this.db.app.update({ where: { id: app.id }, data: { deleting: true } });
    });
  }

  setShortPath(owner: string, name: string, shortPath: string | null): Promise<AppRecord> {
    return this.change(owner, name, async (app) => {
      try {
        await this.db.app.update({ where: { id: app.id }, data: { shortPath } });
      } catch (err) {
        if (code(err) === "P2002" && shortPath !== null) throw new ShortPathTakenError(shortPath);
        throw err;
      }
    });
  }

  removeVersions(owner: string, name: string, versions: readonly number[]): Promise<AppRecord> {
    return this.change(owner, name, async (app) => {
      const doomed = versions.filter((v) => v !== app.currentVersion);
      await this.db.appVersion.deleteMany({ where: { appId: app.id, version: { in: doomed } } });
      for (const v of doomed) await fs.promises.rm(this.layout.versionPaths(owner, name, v).dir, { recursive: true, force: true });
    });
  }

  remove(owner: string, name: string): Promise<void> {
    return this.lock.run(keyOf(owner, name), async () => {
      await fs.promises.rm(this.layout.appDir(owner, name), { recursive: true, force: true });
      const row = await this.row(owner, name);
      if (row) await this.db.app.deleteMany({ where: { id: row.id } });
    });
  }

  discard(owner: string, name: string): Promise<string> {
    return this.lock.run(keyOf(owner, name), async () => {
      const trash = path.join(this.layout.trashDir, randomUUID());
      fs.mkdirSync(this.layout.trashDir, { recursive: true, mode: 0o700 });
      try {
        await fs.promises.rename(this.layout.appDir(owner, name), trash);
      } catch (err) {
        if (code(err) !== "ENOENT") throw err;
        fs.mkdirSync(trash);
      }
      const row = await this.row(owner, name);
      if (row) await this.db.app.deleteMany({ where: { id: row.id } });
      return trash;
    });
  }

  private row(owner: string, name: string): Promise<AppRow | null> {
    return this.db.app.findFirst({ where: { name, owner: { usernameKey: owner.toLowerCase() } }, include: WITH });
  }

  /** Runs `fn` on the app's row under the app's lock, then returns the app as it is afterwards. */
  private change(owner: string, name: string, fn: (app: App) => Promise<void>): Promise<AppRecord> {
    return this.lock.run(keyOf(owner, name), async () => {
      const app = await this.row(owner, name);
      if (!app) throw new Error(`no app ${owner}/${name}`);
      await fn(app);
      await this.db.app.update({ where: { id: app.id }, data: { updatedAt: new Date() } });
      return toApp((await this.row(owner, name))!);
    });
  }
}
