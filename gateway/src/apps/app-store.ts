import path from "node:path";
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

/** A deployed app: served at `/<owner>/<name>` (and `/<shortPath>`); the version serving is `currentVersion`. */
export interface AppRecord {
  /** The owner's username, as the accounts database spells it. */
  readonly owner: string;
  readonly name: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly currentVersion: number | null;
  /** Set by DELETE until the cleanup job has removed the app. */
  readonly deleting: boolean;
  /** A one-segment path an admin gave the app (`/<shortPath>`), or null. */
  readonly shortPath: string | null;
  /** Oldest first. */
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

/** Thrown by `setShortPath` when another app has that short path. */
export class ShortPathTakenError extends Error {
  constructor(readonly shortPath: string) {
    super(`the short path /${shortPath} belongs to another app`);
    this.name = "ShortPathTakenError";
  }
}

/**
 * Deployed apps and their versions. The records (apps, versions, job ids) live in the accounts database
 * (`PrismaAppStore`, SQLite or PostgreSQL), so several gateway processes can share them; the files live on the
 * gateway's disk, laid out by `DeploymentLayout`: `<root>/<user>/<app>/versions/<n>/archive.tar.gz`, the
 * unpacked `versions/<n>/app/`, and `tmp/` (the app's worker-writable cache). User names are matched regardless
 * of case. Deliberately absent: locking across processes beyond the database's unique keys (one gateway runs a
 * given app's jobs), and moving files between machines.
 */
export interface AppStore {
  /** Where the app files are. */
  readonly layout: DeploymentLayout;
  /** Every app, or one user's, sorted by owner then name. */
  list(owner?: string): Promise<AppRecord[]>;
  get(owner: string, name: string): Promise<AppRecord | null>;
  /** The app an admin gave `/<shortPath>`, if any. */
  findByShortPath(shortPath: string): Promise<AppRecord | null>;
  /** Stores an uploaded (and inspected) archive file as the app's next version, creating the app if new. */
  addVersion(owner: string, name: string, archiveFile: string, info: ArchiveInfo): Promise<{ app: AppRecord; version: VersionRecord }>;
  updateVersion(owner: string, name: string, version: number, patch: Partial<Pick<VersionRecord, "status" | "error">>): Promise<AppRecord>;
  setCurrent(owner: string, name: string, version: number): Promise<AppRecord>;
  addJob(owner: string, name: string, jobId: string): Promise<AppRecord>;
  markDeleting(owner: string, name: string): Promise<AppRecord>;
  /** Gives the app `/<shortPath>` (null: takes it away). @throws ShortPathTakenError */
  setShortPath(owner: string, name: string, shortPath: string | null): Promise<AppRecord>;
  /** Forgets these versions and removes their files (never the current one: it is skipped). */
  removeVersions(owner: string, name: string, versions: readonly number[]): Promise<AppRecord>;
  /** Forgets the app and removes its files. */
  remove(owner: string, name: string): Promise<void>;
  /**
   * Forgets the app now and moves its files aside (into `<root>/.trash/`), returning where they went for a
   * cleanup job to remove: a user being deleted loses their apps at once, and a new app of the same name by a
   * new user of the same name cannot lose files to a late cleanup.
   */
  discard(owner: string, name: string): Promise<string>;
}

/** The app files on disk, under `root` (DATA_DIR/deployments). */
export class DeploymentLayout {
  constructor(readonly root: string) {}

  /** The app's directory: its versions and its worker cache. */
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

  /** Where `discard` moves apps' files before a cleanup job removes them. */
  get trashDir(): string {
    return path.join(this.root, ".trash");
  }

  /** Whether `dir` is one of the trash's entries (a cleanup job's data is checked before anything is removed). */
  isTrash(dir: string): boolean {
    const rel = path.relative(this.trashDir, dir);
    return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel) && !rel.includes(path.sep);
  }
}
