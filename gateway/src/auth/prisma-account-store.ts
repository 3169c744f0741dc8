import type { Db } from "../db/prisma-client.ts";
import type { User, ApiToken } from "../../../prisma/generated/sqlite/client.ts";
import {
  DuplicateUsernameError, UserOwnsContentError,
  type AccountStore, type AuditEntry, type AuditQuery, type StoredAuditEntry, type TokenKind, type TokenRecord, type UserRecord,
} from "./account-store.ts";
import { isRole, parseStoredScopes } from "./scopes.ts";

const code = (err: unknown): string | undefined => (err as { code?: string } | null)?.code;

function toUser(u: User): UserRecord {
  return {
    id: u.id, username: u.username, role: isRole(u.role) ? u.role : "user", disabled: u.disabled,
    passwordHash: u.passwordHash, createdAt: u.createdAt, lastLoginAt: u.lastLoginAt,
  };
}

function toToken(t: ApiToken): TokenRecord {
  return {
    id: t.id, userId: t.userId, kind: t.kind === "session" ? "session" : "api", name: t.name, prefix: t.prefix,
    scopes: parseStoredScopes(t.scopes), createdAt: t.createdAt, lastUsedAt: t.lastUsedAt, expiresAt: t.expiresAt,
    revokedAt: t.revokedAt,
  };
}

/** AccountStore over the Prisma client (SQLite or PostgreSQL: the generated clients have the same shape). */
export class PrismaAccountStore implements AccountStore {
  constructor(private readonly db: Db) {}

  async findUserByKey(usernameKey: string): Promise<UserRecord | null> {
    const u = await this.db.user.findUnique({ where: { usernameKey } });
    return u ? toUser(u) : null;
  }

  async findUserById(id: number): Promise<UserRecord | null> {
    const u = await this.db.user.findUnique({ where: { id } });
    return u ? toUser(u) : null;
  }

  async listUsers(): Promise<UserRecord[]> {
    return (await this.db.user.findMany({ orderBy: { id: "asc" } })).map(toUser);
  }

  async createUser(u: { username: string; usernameKey: string; passwordHash: string | null; role: "admin" | "user" }): Promise<UserRecord> {
    try {
      return toUser(await this.db.user.create({ data: u }));
    } catch (err) {
      if (code(err) === "P2002") throw new DuplicateUsernameError(u.username);
      throw err;
    }
  }

  async updateUser(id: number, patch: { role?: "admin" | "user"; disabled?: boolean; passwordHash?: string; lastLoginAt?: Date }): Promise<UserRecord> {
    return toUser(await this.db.user.update({ where: { id }, data: patch }));
  }

  async deleteUser(id: number): Promise<void> {
    try {
      await this.db.user.delete({ where: { id } });
    } catch (err) {
      if (code(err) === "P2003" || code(err) === "P2014") throw new UserOwnsContentError(String(id));
      throw err;
    }
  }

  async firstUserId(exceptKey: string): Promise<number | null> {
    const u = await this.db.user.findFirst({ where: { usernameKey: { not: exceptKey } }, orderBy: { id: "asc" }, select: { id: true } });
    return u?.id ?? null;
  }

  countEnabledAdmins(exceptKey: string): Promise<number> {
    return this.db.user.count({ where: { role: "admin", disabled: false, usernameKey: { not: exceptKey } } });
  }

  async createToken(t: { userId: number; kind: TokenKind; name: string; hash: string; prefix: string; scopes: readonly string[]; expiresAt: Date | null }): Promise<TokenRecord> {
    return toToken(await this.db.apiToken.create({ data: { ...t, scopes: t.scopes.join(" ") } }));
  }

  async findTokenByHash(hash: string): Promise<{ token: TokenRecord; user: UserRecord } | null> {
    const t = await this.db.apiToken.findUnique({ where: { hash }, include: { user: true } });
    return t ? { token: toToken(t), user: toUser(t.user) } : null;
  }

  async listActiveTokens(userId: number, now: Date): Promise<TokenRecord[]> {
    const rows = await this.db.apiToken.findMany({
      where: { userId, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
      orderBy: { id: "desc" },
    });
    return rows.map(toToken);
  }

  async revokeToken(userId: number, tokenId: number, at: Date): Promise<boolean> {
    const r = await this.db.apiToken.updateMany({ where: { id: tokenId, userId, revokedAt: null }, data: { revokedAt: at } });
    if (r.count > 0) return true;
    return (await this.db.apiToken.count({ where: { id: tokenId, userId } })) > 0;
  }

  async revokeTokensOfKind(userId: number, kind: TokenKind, at: Date): Promise<number> {
    return (await this.db.apiToken.updateMany({ where: { userId, kind, revokedAt: null }, data: { revokedAt: at } })).count;
  }

  async touchToken(tokenId: number, at: Date): Promise<void> {
    await this.db.apiToken.updateMany({ where: { id: tokenId }, data: { lastUsedAt: at } });
  }

  async audit(e: AuditEntry): Promise<void> {
    await this.db.auditEvent.create({
      data: { actorId: e.actorId, actorName: e.actorName, action: e.action, target: e.target, ip: e.ip, createdAt: e.at },
    });
  }

  async recentEvents(action: string, match: { target: string } | { ip: string }, since: Date, limit: number): Promise<Date[]> {
    const rows = await this.db.auditEvent.findMany({
      where: { action, ...match, createdAt: { gt: since } },
      orderBy: { createdAt: "desc" }, take: limit, select: { createdAt: true },
    });
    return rows.map((r) => r.createdAt);
  }

  async queryAudit(q: AuditQuery): Promise<StoredAuditEntry[]> {
    const rows = await this.db.auditEvent.findMany({
      where: {
        ...(q.actor ? { actorName: q.actor } : {}),
        ...(q.target ? { target: q.target } : {}),
        ...(q.action ? (q.action.endsWith(".") ? { action: { startsWith: q.action } } : { action: q.action }) : {}),
        ...(q.beforeId !== undefined ? { id: { lt: q.beforeId } } : {}),
      },
      orderBy: { id: "desc" }, take: q.limit,
    });
    return rows.map((r) => ({ id: r.id, actorId: r.actorId, actorName: r.actorName, action: r.action, target: r.target, ip: r.ip, at: r.createdAt }));
  }

  async close(): Promise<void> {
    await this.db.$disconnect();
  }
}
