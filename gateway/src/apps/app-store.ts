import fs from "node:fs";
import path from "node:path";
import { KeyedLock } from "../../../shared/storage/keyed-lock.ts";
import type { ArchiveInfo } from "./archive.ts";

/** One uploaded version of an app. */
export interface VersionRecord {
  readonly version: number;
  readonly createdAt: string;
  readonly archiveBytes: number;
  readonly format: "directory" | "module";
  /** The module the worker runs, relative to the unpacked app: `main.ts`, or `myapp.ts` for a single module. */
  readonly entry: string;
  /** `stored`: uploaded, not (yet) deployed; `ready`: deployed once successfully; `failed`: its deploy failed. */
  readonly status: "stored" | "ready" | "failed";
  readonly error: string | null;
}

/** A deployed app: served at `/<owner>/<name>`; the version serving is `currentVersion`. */
export interface AppRecord {
  readonly owner: string;
  readonly name: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly currentVersion: number | null;
  /** Set by DELETE until the cleanup job has removed the app. */
  readonly deleting: boolean;
  readonly versions: readonly VersionRecord[];
  /** Ids of the app's deploy, stop and cleanup jobs, newest last (the last 50). */
  readonly jobs: readonly string[];
}

/** Where one version's files are. */
export interface VersionPaths {
  readonly dir: string;
  readonly archive: string;
  /** The unpacked app (a directory app's top, or the folder holding the module). */
  readonly app: string;
  /** Written once the archive is unpacked completely. */
  readonly unpacked: string;
}

const KEPT_JOBS = 50;
const keyOf = (owner: string, name: string) => `${owner.toLowerCase()}/${name}`;

/**
 * Deployed apps and their versions, in the data directory: `deployments/<user>/<app>/app.json` (this record,
 * replaced atomically), `versions/<n>/archive.tar.gz` and `versions/<n>/app/` (unpacked), and `tmp/` (the app's
 * worker-writable cache). All records are read at start and kept in memory; each change is written before it
 * resolves, one at a time per app. User names are stored as given and matched regardless of case.
 * Deliberately not in the accounts database: a deploy's files live on this disk anyway, and one gateway owns it.
 */
export class AppStore {
  private readonly apps = new Map<string, AppRecord>();
  private readonly lock = new KeyedLock();

  private constructor(readonly root: string) {}

  static open(root: string): AppStore {
    const store = new AppStore(root);
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
    for (const owner of fs.readdirSync(root, { withFileTypes: true })) {
      if (!owner.isDirectory() || owner.name.startsWith(".")) continue;
      for (const app of fs.readdirSync(path.join(root, owner.name), { withFileTypes: true })) {
        const file = path.join(root, owner.name, app.name, "app.json");
        if (!app.isDirectory() || !fs.existsSync(file)) continue;
        const rec = JSON.parse(fs.readFileSync(file, "utf8")) as AppRecord;
        store.apps.set(keyOf(rec.owner, rec.name), rec);
      }
    }
    return store;
  }

  /** Every app, or one user's, sorted by name. */
  list(owner?: string): AppRecord[] {
    return [...this.apps.values()].filter((a) => owner === undefined || a.owner.toLowerCase() === owner.toLowerCase())
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  get(owner: string, name: string): AppRecord | null {
    return this.apps.get(keyOf(owner, name)) ?? null;
  }

  /** The app's directory, its versions, and its worker cache. */
  appDir(owner: string, name: string): string {
    return path.join(this.root, owner.toLowerCase(), name);
  }

  cacheDir(owner: string, name: string): string {
    return path.join(this.appDir(owner, name), "tmp");
  }

  versionPaths(owner: string, name: string, version: number): VersionPaths {
    const dir = path.join(this.appDir(owner, name), "versions", String(version));
    return { dir, archive: path.join(dir, "archive.tar.gz"), app: path.join(dir, "app"), unpacked: path.join(dir, "unpacked") };
  }

  /** Stores an uploaded (and inspected) archive as the app's next version, creating the app if new. */
  addVersion(owner: string, name: string, archiveFile: string, info: ArchiveInfo): Promise<{ app: AppRecord; version: VersionRecord }> {
    return this.lock.run(keyOf(owner, name), async () => {
      const now = new Date().toISOString();
      const prev = this.get(owner, name);
      const app: AppRecord = prev ?? { owner, name, createdAt: now, updatedAt: now, currentVersion: null, deleting: false, versions: [], jobs: [] };
      const number = Math.max(0, ...app.versions.map((v) => v.version)) + 1;
      const paths = this.versionPaths(owner, name, number);
      fs.mkdirSync(paths.dir, { recursive: true, mode: 0o755 });
      fs.renameSync(archiveFile, paths.archive);
      const version: VersionRecord = {
        version: number, createdAt: now, archiveBytes: fs.statSync(paths.archive).size, format: info.format, entry: info.entry,
        status: "stored", error: null,
      };
      const next = await this.write({ ...app, updatedAt: now, versions: [...app.versions, version] });
      return { app: next, version };
    });
  }

  updateVersion(owner: string, name: string, version: number, patch: Partial<Pick<VersionRecord, "status" | "error">>): Promise<AppRecord> {
    return this.change(owner, name, (a) => ({ ...a, versions: a.versions.map((v) => (v.version === version ? { ...v, ...patch } : v)) }));
  }

  setCurrent(owner: string, name: string, version: number): Promise<AppRecord> {
    return this.change(owner, name, (a) => ({ ...a, currentVersion: version }));
  }

  addJob(owner: string, name: string, jobId: string): Promise<AppRecord> {
    return this.change(owner, name, (a) => ({ ...a, jobs: [...a.jobs, jobId].slice(-KEPT_JOBS) }));
  }

  markDeleting(owner: string, name: string): Promise<AppRecord> {
    return this.change(owner, name, (a) => ({ ...a, deleting: true }));
  }

  /** Forgets the app and removes its files. */
  remove(owner: string, name: string): Promise<void> {
    return this.lock.run(keyOf(owner, name), async () => {
      await fs.promises.rm(this.appDir(owner, name), { recursive: true, force: true });
      this.apps.delete(keyOf(owner, name));
    });
  }

  private change(owner: string, name: string, fn: (a: AppRecord) => AppRecord): Promise<AppRecord> {
    return this.lock.run(keyOf(owner, name), async () => {
      const app = this.get(owner, name);
      if (!app) throw new Error(`no app ${owner}/${name}`);
      return this.write({ ...fn(app), updatedAt: new Date().toISOString() });
    });
  }

  private async write(app: AppRecord): Promise<AppRecord> {
    const dir = this.appDir(app.owner, app.name);
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    const file = path.join(dir, "app.json");
    const tmp = `${file}.${process.pid}.tmp`;
    await fs.promises.writeFile(tmp, `${JSON.stringify(app, null, 2)}\n`);
    await fs.promises.rename(tmp, file);
    this.apps.set(keyOf(app.owner, app.name), app);
    return app;
  }
}
