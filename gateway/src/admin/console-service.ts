import { PlothostError } from "../../../shared/errors/catalogue.ts";
import type { DocumentMeta, DocumentStore, Visibility } from "../../../shared/storage/index.ts";
import type { AppRow, AuditPage, DocRow, OverviewCounts, SessionRow, UserPage, UserRow } from "../../../web-admin/view-types.ts";
import type { AccountService, RequestOrigin } from "../auth/account-service.ts";
import type { UserRecord } from "../auth/account-store.ts";
import { usernameKey } from "../auth/credential-rules.ts";
import type { AppsView } from "./apps-view.ts";
import type { DeployedAppsView } from "./deployed-apps-view.ts";
import type { LiveConnections } from "./live-connections.ts";
import type { MetricsCollector } from "./metrics-collector.ts";

const VISIBILITIES: readonly Visibility[] = ["private", "public", "shared"];
/** Users listed per page unless asked otherwise, and the most a page may hold. */
export const USERS_PER_PAGE = 25;
const MAX_PER_PAGE = 100;
/** Audit lines per page unless asked otherwise, and the most a page may hold. */
export const AUDIT_PAGE = 50;
const MAX_AUDIT_PAGE = 500;

/** Filters of the Users table: `q` matches part of the username; `status` narrows to admins, users or disabled. */
export interface UserFilter {
  readonly q?: string;
  readonly status?: "admin" | "user" | "disabled" | "";
  readonly page?: number;
  readonly perPage?: number;
}

/** What an admin may do to an app besides rolling it back. */
export type AppAction = "start" | "stop" | "restart";

/** Filters of the Documents table. */
export interface DocFilter {
  readonly q?: string;
  readonly owner?: string;
  readonly visibility?: Visibility | "";
}

/**
 * Everything the admin console reads and does, below HTTP: the API (`admin-api.ts`) and the pages
 * (`console-pages.ts`) both call it, so a page never shows what the API would not return. Every change is
 * written to the audit trail with the admin who made it. Account changes that the accounts API already offers
 * (create, role, disable, password, delete) are not repeated here: the console calls that API.
 */
export class ConsoleService {
  constructor(private readonly deps: {
    accounts: AccountService;
    docs: DocumentStore;
    /** Deletes a published document with its share links (its viewers are disconnected): the docs module's. */
    deleteDocument: (id: string, origin: string) => Promise<void>;
    connections: LiveConnections;
    /** The command-line apps (`plothost serve app.ts`). */
    apps: AppsView;
    /** Every user's deployed apps (named `<owner>/<app>`), when the gateway has them. */
    deployed: DeployedAppsView | null;
    collector: MetricsCollector;
    now?: () => Date;
  }) {}

  async users(f: UserFilter): Promise<UserPage> {
    const q = (f.q ?? "").trim().toLowerCase();
    const perPage = clamp(f.perPage ?? USERS_PER_PAGE, 1, MAX_PER_PAGE);
    const all = (await this.allUsers()).filter((u) => (!q || u.username.toLowerCase().includes(q)) && matchesStatus(u, f.status ?? ""));
    const pages = Math.max(1, Math.ceil(all.length / perPage));
    const page = clamp(f.page ?? 1, 1, pages);
    const slice = all.slice((page - 1) * perPage, page * perPage);
    const now = this.now();
    const appsOf = await this.appCounts();
    const users = await Promise.all(slice.map(async (u): Promise<UserRow> => ({
      username: u.username, role: u.role, disabled: u.disabled, createdAt: u.createdAt.toISOString(),
      lastLoginAt: u.lastLoginAt?.toISOString() ?? null, apps: appsOf.get(usernameKey(u.username)) ?? 0,
      docs: (await this.deps.docs.list({ owner: u.username })).length,
      activeTokens: (await this.deps.accounts.store.listActiveTokens(u.id, now)).length,
    })));
    return { users, total: all.length, page, perPage, q: f.q ?? "" };
  }

  /** Revokes every API token and login session of a user: they are logged out everywhere at once. */
  async revokeTokens(name: string, origin: RequestOrigin): Promise<number> {
    const user = await this.user(name);
    const at = this.now();
    const n = (await this.deps.accounts.store.revokeTokensOfKind(user.id, "api", at))
      + (await this.deps.accounts.store.revokeTokensOfKind(user.id, "session", at));
    await this.deps.accounts.audit(origin, "user.tokens_revoke", user.username);
    return n;
  }

  /** Every published document (of every account), newest change first. */
  async docs(f: DocFilter, baseUrl: string): Promise<DocRow[]> {
    const q = (f.q ?? "").trim().toLowerCase();
    const owners = f.owner ? [await this.displayName(f.owner)] : (await this.allUsers()).map((u) => u.username);
    const metas = (await Promise.all(owners.map((owner) => this.deps.docs.list({ owner })))).flat();
    return metas
      .filter((m) => (!f.visibility || m.visibility === f.visibility)
        && (!q || [m.id, m.name, m.title].some((s) => s.toLowerCase().includes(q))))
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
      .map((m) => this.docRow(m, baseUrl));
  }

  /** Changes a document's visibility (and, for `shared`, who it is shared with). Viewers who lose access are cut off. */
  async updateDoc(id: string, patch: { visibility?: unknown; sharedWith?: unknown }, origin: RequestOrigin, baseUrl: string): Promise<DocRow> {
    const visibility = patch.visibility;
    if (typeof visibility !== "string" || !(VISIBILITIES as readonly string[]).includes(visibility)) {
      throw new PlothostError("bad_request", `visibility must be one of ${VISIBILITIES.join(", ")}`);
    }
    if (patch.sharedWith !== undefined && (!Array.isArray(patch.sharedWith) || !patch.sharedWith.every((u) => typeof u === "string"))) {
      throw new PlothostError("bad_request", "sharedWith must be a list of usernames");
    }
    const meta = await this.deps.docs.updateMeta(id, {
      visibility: visibility as Visibility, ...(patch.sharedWith !== undefined ? { sharedWith: patch.sharedWith as string[] } : {}),
    }, { origin: "admin-console" });
    await this.deps.accounts.audit(origin, `doc.visibility.${visibility}`, id);
    return this.docRow(meta, baseUrl);
  }

  /** Deletes a document and its share links (a link must not open a later document of the same id). */
  async deleteDoc(id: string, origin: RequestOrigin): Promise<void> {
    await this.deps.deleteDocument(id, "admin-console");
    await this.deps.accounts.audit(origin, "doc.delete", id);
  }

  sessions(): SessionRow[] {
    const pidOf = new Map(this.deps.apps.list().map((a) => [a.name, a.workers[0]?.pid ?? null]));
    const deployedPid = (target: string) => this.deps.deployed?.workerPidFor(target) ?? null;
    return this.deps.connections.list().filter((c) => c.kind !== "admin")
      .sort((a, b) => a.target.localeCompare(b.target) || a.openedAt - b.openedAt)
      .map((c) => ({
        id: c.id, kind: c.kind as "app" | "doc", target: c.target, sessionId: c.sessionId, user: c.user,
        workerPid: c.kind === "app" ? (pidOf.get(c.target) ?? deployedPid(c.target)) : null, remote: c.remote,
        openedAt: new Date(c.openedAt).toISOString(), lastActivityAt: new Date(c.lastActivityAt).toISOString(),
      }));
  }

  async endSession(id: string, origin: RequestOrigin): Promise<void> {
    const c = this.deps.connections.get(id);
    if (!c || c.kind === "admin" || !this.deps.connections.end(id)) throw new PlothostError("not_found", `no live session ${id}`);
    await this.deps.accounts.audit(origin, "session.end", `${c.kind}:${c.target}${c.user ? ` (${c.user})` : ""}`);
  }

  /** Every app: the command-line ones first, then the deployed ones by owner and name. */
  async apps(): Promise<AppRow[]> {
    return [...this.deps.apps.list(), ...(await this.deps.deployed?.list() ?? [])];
  }

  /**
   * Starts, stops or restarts an app (`demo`, or `alice/sales` for a deployed app); audited as `app.<action>`.
   * Resolves once the action is under way, with the app's row then.
   */
  async appAction(name: string, action: AppAction, origin: RequestOrigin): Promise<AppRow> {
    let row: AppRow;
    if (name.includes("/")) {
      const deployed = this.deployedApps(name);
      row = action === "start" ? await deployed.start(name) : action === "stop" ? await deployed.stop(name) : await deployed.restart(name);
    } else {
      const local = this.deps.apps;
      row = action === "start" ? local.start(name) : action === "stop" ? await local.stop(name) : await local.restart(name);
    }
    await this.deps.accounts.audit(origin, `app.${action}`, name);
    return row;
  }

  /** Rolls a deployed app back to a stored version (a deploy job); audited as `app.rollback` of `<owner>/<app>@<version>`. */
  async rollbackApp(name: string, version: unknown, origin: RequestOrigin): Promise<{ app: AppRow; deploy: unknown }> {
    if (!name.includes("/")) throw new PlothostError("bad_request", `${name} is a command-line app: it has no versions to roll back to`);
    const done = await this.deployedApps(name).rollback(name, version);
    await this.deps.accounts.audit(origin, "app.rollback", `${name}@${String(version)}`);
    return done;
  }
  /** The audit trail, newest first, `limit` (default 50) lines at a time; names match whatever case they are typed in. */
  async audit(f: { actor?: string; action?: string; target?: string; before?: number; limit?: number }): Promise<AuditPage> {
    const limit = clamp(f.limit ?? AUDIT_PAGE, 1, MAX_AUDIT_PAGE);
    const actor = (f.actor ?? "").trim();
    const action = (f.action ?? "").trim();
    const target = (f.target ?? "").trim();
    const rows = await this.deps.accounts.store.queryAudit({
      actor: actor ? await this.displayName(actor) : undefined, action: action || undefined,
      target: target ? await this.displayName(target) : undefined, beforeId: f.before, limit: limit + 1,
    });
    const events = rows.slice(0, limit).map((r) => ({ id: r.id, at: r.at.toISOString(), actor: r.actorName, action: r.action, target: r.target, ip: r.ip }));
    return { events, filter: { actor, action, target }, nextBefore: rows.length > limit ? events.at(-1)!.id : null };
  }

  async counts(): Promise<OverviewCounts> {
    const users = await this.allUsers();
    const docs = (await Promise.all(users.map((u) => this.deps.docs.list({ owner: u.username })))).reduce((n, l) => n + l.length, 0);
    return {
      users: users.length, admins: users.filter((u) => u.role === "admin").length, disabledUsers: users.filter((u) => u.disabled).length,
      apps: (await this.apps()).length, docs, metrics: this.deps.collector.latest(),
    };
  }

  private docRow(m: DocumentMeta, baseUrl: string): DocRow {
    return {
      id: m.id, name: m.name, title: m.title, owner: m.owner, visibility: m.visibility, sharedWith: m.sharedWith, sizeBytes: m.sizeBytes,
      version: m.version, createdAt: m.createdAt, updatedAt: m.updatedAt, url: `${baseUrl}/doc/${m.id}`,
      publicUrl: m.visibility === "public" ? `${baseUrl}/doc/${m.id}?public=true` : null,
      viewers: this.deps.connections.list({ kind: "doc", target: m.id }).length,
    };
  }

  private deployedApps(name: string): DeployedAppsView {
    if (!this.deps.deployed) throw new PlothostError("app_not_found", name);
    return this.deps.deployed;
  }

  /** Deployed apps per owner (by username key). */
  private async appCounts(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const owner of await this.deps.deployed?.owners() ?? []) counts.set(usernameKey(owner), (counts.get(usernameKey(owner)) ?? 0) + 1);
    return counts;
  }

  /** Every account, including the built-in single-user `defaultuser` (who may own documents). */
  private allUsers(): Promise<UserRecord[]> {
    return this.deps.accounts.store.listUsers();
  }

  private async user(name: string): Promise<UserRecord> {
    const user = await this.deps.accounts.store.findUserByKey(usernameKey(name));
    if (!user) throw new PlothostError("user_not_found", name);
    return user;
  }

  /** A username as stored (display form) when the account exists, else as typed (e.g. a deleted account). */
  private async displayName(name: string): Promise<string> {
    return (await this.deps.accounts.store.findUserByKey(usernameKey(name)))?.username ?? name;
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

function matchesStatus(u: UserRecord, status: string): boolean {
  if (status === "disabled") return u.disabled;
  if (status === "admin" || status === "user") return u.role === status;
  return true;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Number.isFinite(n) ? Math.floor(n) : lo));
}
