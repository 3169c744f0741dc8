import { createHash, randomBytes } from "node:crypto";
import type { Db } from "../db/prisma-client.ts";
import { PlothostError } from "../../../shared/errors/catalogue.ts";
import type { AccessMode } from "./published-session.ts";

/** A share link as its owner sees it (never the secret, which is shown once at creation). */
export interface ShareLinkInfo {
  id: number;
  docId: string;
  mode: AccessMode;
  prefix: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

const SECRET_PREFIX = "phs_";
const hash = (secret: string) => createHash("sha256").update(secret).digest("hex");

type Row = { id: number; docId: string; mode: string; prefix: string; createdBy: string; createdAt: Date; expiresAt: Date | null; revokedAt: Date | null; lastUsedAt: Date | null };
const info = (r: Row): ShareLinkInfo => ({
  id: r.id, docId: r.docId, mode: r.mode === "interact" ? "interact" : "view", prefix: r.prefix, createdBy: r.createdBy,
  createdAt: r.createdAt.toISOString(), expiresAt: r.expiresAt?.toISOString() ?? null,
  revokedAt: r.revokedAt?.toISOString() ?? null, lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
});

/**
 * Secret links to a published document (`/s/<secret>`), beyond public/private: any number per document, each
 * `view` (read-only) or `interact`, each expiring and revocable on its own. Secrets are 32 random bytes; only
 * their SHA-256 is stored, and lookups go by that hash (a unique index), so no comparison of secrets happens here.
 */
export class ShareLinks {
  constructor(private readonly db: Db, private readonly now: () => Date = () => new Date()) {}

  async create(docId: string, opts: { mode: AccessMode; expiresInS?: number; createdBy: string }): Promise<{ link: ShareLinkInfo; secret: string }> {
    const secret = `${SECRET_PREFIX}${randomBytes(32).toString("base64url")}`;
    const expiresAt = opts.expiresInS !== undefined ? new Date(this.now().getTime() + opts.expiresInS * 1000) : null;
    const row = await this.db.shareLink.create({
      data: { docId, mode: opts.mode, createdBy: opts.createdBy, tokenHash: hash(secret), prefix: secret.slice(0, 10), expiresAt },
    });
    return { link: info(row), secret };
  }

  async list(docId: string): Promise<ShareLinkInfo[]> {
    return (await this.db.shareLink.findMany({ where: { docId }, orderBy: { id: "asc" } })).map(info);
  }

  /** Revokes one link of a document; false when there is no such link. */
  async revoke(docId: string, linkId: number): Promise<boolean> {
    const res = await this.db.shareLink.updateMany({ where: { id: linkId, docId, revokedAt: null }, data: { revokedAt: this.now() } });
    return res.count > 0;
  }

  /** Removes every link of a deleted document. */
  async removeAll(docId: string): Promise<void> {
    await this.db.shareLink.deleteMany({ where: { docId } });
  }

  /**
   * The live link a secret opens, recording its use; throws 404 `share_link_invalid` for an unknown, revoked or
   * expired one (the same answer for each, so a guesser learns nothing).
   */
  async resolve(secret: string): Promise<ShareLinkInfo> {
    if (!secret.startsWith(SECRET_PREFIX) || secret.length > 100) throw new PlothostError("share_link_invalid");
    const row = await this.db.shareLink.findUnique({ where: { tokenHash: hash(secret) } });
    if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= this.now())) throw new PlothostError("share_link_invalid");
    const used = await this.db.shareLink.update({ where: { id: row.id }, data: { lastUsedAt: this.now() } });
    return info(used);
  }

  /** Whether a link is still usable (for viewers already connected through it). */
  async isLive(linkId: number): Promise<boolean> {
    const row = await this.db.shareLink.findUnique({ where: { id: linkId } });
    return row !== null && !row.revokedAt && !(row.expiresAt && row.expiresAt <= this.now());
  }
}
