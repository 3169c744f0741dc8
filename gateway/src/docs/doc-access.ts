import type { IncomingMessage } from "node:http";
import type { DocumentMeta } from "../../../shared/storage/index.ts";
import type { AccessMode } from "./published-session.ts";

/** Who is asking, as the documents feature needs it (the accounts layer provides it). */
export interface Identity {
  readonly username: string;
  readonly role: "admin" | "user";
  readonly scopes: ReadonlySet<string>;
}

/**
 * How the documents feature learns who a request is. `identify` never throws for anonymous requests (null);
 * `require` throws the catalogue's 401/403 when the request lacks the scope.
 */
export interface DocsAuth {
  identify(req: IncomingMessage): Promise<Identity | null>;
  require(req: IncomingMessage, scope: "read" | "publish"): Promise<Identity>;
}

/** Usernames are case-insensitive: compare them folded. */
const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
const isOwner = (who: Identity, meta: DocumentMeta): boolean => same(meta.owner, who.username);
const isSharedWith = (who: Identity, meta: DocumentMeta): boolean =>
  meta.visibility === "shared" && meta.sharedWith.some((u) => same(u, who.username));

/** Whether `who` may see the document: `publicView` is the `?public=true` (or share-link) view, open to anyone for public documents. */
export function canView(who: Identity | null, meta: DocumentMeta, publicView: boolean): boolean {
  if (publicView) return meta.visibility === "public";
  if (!who) return false;
  return who.role === "admin" || isOwner(who, meta) || meta.visibility === "public" || isSharedWith(who, meta);
}

/** Owners, admins and the users a document is shared with may change it; everyone else only views it. */
export function accessMode(who: Identity | null, meta: DocumentMeta, publicView: boolean): AccessMode {
  if (publicView || !who) return "view";
  if (who.role === "admin" || isOwner(who, meta)) return "interact";
  return isSharedWith(who, meta) ? "interact" : "view";
}

/** Whether `who` may change the document's content or metadata through the API. */
export function canManage(who: Identity, meta: DocumentMeta): boolean {
  return who.role === "admin" || isOwner(who, meta);
}
