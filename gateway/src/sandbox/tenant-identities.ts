import fs from "node:fs";
import path from "node:path";

/** Who one app's workers run as, and where they keep data between runs. */
export interface TenantIdentity {
  readonly uid: number;
  /** Same number as the uid: a private group per app. */
  readonly gid: number;
  /** The app's own data directory (mode 0700; the sandbox chowns it to `uid` when it binds it writable). */
  readonly home: string;
}

/** Options of `TenantIdentities`. */
export interface TenantIdentitiesOptions {
  /** Where the allocation and the homes live, e.g. `<data dir>/sandbox`. */
  readonly dir: string;
  /** The uid range: `first` .. `first + count - 1` (the gid is the same number). */
  readonly first: number;
  readonly count: number;
}

interface Allocation {
  readonly version: 1;
  readonly uids: Record<string, number>;
}

/**
 * Hands each app its own uid/gid from a configured range, stable across restarts (persisted in
 * `<dir>/tenants.json`), and a 0700 home `<dir>/homes/<uid>`. Tenants that do not share a uid cannot signal,
 * ptrace or read the 0700 files of each other even where their sandboxes see the same paths (the plain
 * fallback). Keys are whatever names an app uniquely (its URL prefix).
 *
 * Deliberately left out: freeing the uid of a deleted app (a new app must not inherit files an old one left
 * behind), and locking across processes (one gateway owns a data directory).
 */
export class TenantIdentities {
  private readonly file: string;
  private readonly homes: string;

  constructor(private readonly opts: TenantIdentitiesOptions) {
    this.file = path.join(opts.dir, "tenants.json");
    this.homes = path.join(opts.dir, "homes");
  }

  /** The identity of `key`, allocating (and persisting) one the first time. Throws when the range is used up. */
  identityFor(key: string): TenantIdentity {
    const allocation = this.read();
    const { first, count } = this.opts;
    const inRange = (uid: number) => Number.isInteger(uid) && uid >= first && uid < first + count;
    let uid = allocation.uids[key];
    if (uid === undefined || !inRange(uid)) {
      const taken = new Set(Object.values(allocation.uids));
      uid = first;
      while (taken.has(uid) && uid < first + count) uid++;
      if (uid >= first + count) {
        throw new Error(`no free uid left in ${first}-${first + count - 1} for app ${key}: widen --worker-uid-range`);
      }
      this.write({ version: 1, uids: { ...allocation.uids, [key]: uid } });
    }
    const home = path.join(this.homes, String(uid));
    // The homes dir can be entered but not listed: under the plain fallback, tenants must not find each other.
    fs.mkdirSync(this.homes, { recursive: true, mode: 0o711 });
    fs.mkdirSync(home, { recursive: true, mode: 0o700 });
    return { uid, gid: uid, home };
  }

  private read(): Allocation {
    try {
      const parsed = JSON.parse(fs.readFileSync(this.file, "utf8")) as Partial<Allocation>;
      if (parsed.version === 1 && parsed.uids && typeof parsed.uids === "object") return parsed as Allocation;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`cannot read ${this.file}: ${(err as Error).message}`);
    }
    return { version: 1, uids: {} };
  }

  /** Atomic: a crash mid-write leaves the old allocation, never half a file. */
  private write(allocation: Allocation): void {
    fs.mkdirSync(this.opts.dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${JSON.stringify(allocation, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }
}
