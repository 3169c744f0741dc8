import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { CredentialsError } from "./errors.ts";

/** One server's saved login, as `credentials.json` holds it under the server's URL. */
export interface StoredCredential {
  /** The API token (`pht_...`), sent as `Authorization: Bearer`. */
  readonly token: string;
  readonly username: string | null;
  /** ISO 8601 time it was saved. */
  readonly savedAt: string;
}

/** The file's layout (`examples/python/publish.py` writes the same). */
interface CredentialsFile {
  version: 1;
  servers: Record<string, StoredCredential>;
}

/** The key a server's credentials are saved under: scheme, host, port and path prefix, without a trailing slash. */
export function serverKey(rootUrl: string): string {
  const u = new URL(rootUrl);
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`;
}

const checksModes = process.platform !== "win32";

/**
 * `credentials.json` in the plothost home directory (`~/.plothost`, or `PLOTHOST_HOME`): API tokens keyed by
 * server URL, like the old bokeh-server's keys under `~/.bokeh`. The directory is made 0700 and the file 0600,
 * written atomically (temporary file, then rename). A file other users could read, or a directory other users
 * could write, is refused with a {@link CredentialsError} saying which `chmod` fixes it: a token is a password.
 * Deliberately left out: locking between processes (the last writer wins) and OS keychains.
 */
export class CredentialsStore {
  readonly file: string;

  constructor(readonly home: string) {
    this.file = path.join(home, "credentials.json");
  }

  /** The credential saved for `rootUrl`, or null. */
  get(rootUrl: string): StoredCredential | null {
    const entry = this.read().servers[serverKey(rootUrl)];
    return entry && typeof entry.token === "string" && entry.token !== "" ? entry : null;
  }

  /** Saves (replaces) the credential for `rootUrl`. */
  set(rootUrl: string, credential: { token: string; username: string | null }): void {
    const data = this.read();
    data.servers[serverKey(rootUrl)] = { token: credential.token, username: credential.username, savedAt: new Date().toISOString() };
    this.write(data);
  }

  /** Forgets the credential for `rootUrl`; returns whether there was one. */
  remove(rootUrl: string): boolean {
    const data = this.read();
    const key = serverKey(rootUrl);
    if (!(key in data.servers)) return false;
    delete data.servers[key];
    this.write(data);
    return true;
  }

  private read(): CredentialsFile {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return { version: 1, servers: {} };
      throw err;
    }
    this.checkFile(stat);
    this.checkDirectory();
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(this.file, "utf8"));
    } catch (err) {
      throw new CredentialsError(`${this.file} is not valid JSON (${(err as Error).message}). Delete it and log in again.`, { code: "credentials_unreadable", cause: err });
    }
    const servers = (parsed as { servers?: unknown } | null)?.servers;
    if (!servers || typeof servers !== "object" || Array.isArray(servers)) {
      throw new CredentialsError(`${this.file} has no "servers" object. Delete it and log in again.`, { code: "credentials_unreadable" });
    }
    return { version: 1, servers: { ...(servers as Record<string, StoredCredential>) } };
  }

  private checkFile(fileStat: fs.Stats): void {
    if (!checksModes) return;
    const fileMode = fileStat.mode & 0o777;
    if (fileMode & 0o077) {
      throw new CredentialsError(
        `${this.file} can be read by other users (mode ${fileMode.toString(8).padStart(4, "0")}), so its tokens are not secret any more. ` +
        `Run \`chmod 600 ${this.file}\`, then log in again to replace the tokens (\`plothost login\`).`,
        { code: "credentials_insecure" },
      );
    }
  }

  private checkDirectory(): void {
    if (!checksModes) return;
    const dirMode = fs.statSync(this.home).mode & 0o777;
    if (dirMode & 0o022) {
      throw new CredentialsError(
        `${this.home} can be written by other users (mode ${dirMode.toString(8).padStart(4, "0")}), who could replace your credentials. Run \`chmod 700 ${this.home}\`.`,
        { code: "credentials_insecure" },
      );
    }
  }

  private write(data: CredentialsFile): void {
    fs.mkdirSync(this.home, { recursive: true, mode: 0o700 });
    this.checkDirectory();
    const tmp = path.join(this.home, `.credentials.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
    const fd = fs.openSync(tmp, "wx", 0o600);
    try {
      fs.writeFileSync(fd, `${JSON.stringify(data, null, 2)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    try {
      fs.renameSync(tmp, this.file);
    } catch (err) {
      fs.rmSync(tmp, { force: true });
      throw err;
    }
  }
}
