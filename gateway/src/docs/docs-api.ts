import express, { type Request, type Response, type Router } from "express";
import { Document, DocumentError, type DocJson } from "../../../shared/index.ts";
import { PlothostError } from "../../../shared/errors/catalogue.ts";
import type { DocumentMeta, DocumentStore, Visibility } from "../../../shared/storage/index.ts";
import { canManage, canView, type DocsAuth, type Identity } from "./doc-access.ts";
import type { LiveDocuments } from "./live-documents.ts";
import { columnsPatchedEvent, columnsStreamedEvent } from "./column-events.ts";
import type { ShareLinks } from "./share-links.ts";

const VISIBILITIES: readonly Visibility[] = ["private", "public", "shared"];

/** What `POST /api/v1/docs` takes: Bokeh document JSON (`Document.to_json()`) or a `json_item` (`{doc, root_id}`). */
function docJsonFrom(body: unknown): DocJson {
  const b = body as { doc?: unknown; roots?: unknown } | null;
  const json = (b && typeof b === "object" && "doc" in b && !("roots" in b) ? b.doc : b) as DocJson | null;
  if (!json || typeof json !== "object" || !Array.isArray((json as { roots?: unknown }).roots)) {
    throw new PlothostError("bad_request", "the body must be Bokeh document JSON ({version, title, roots: [...]}) or a json_item ({doc, root_id})");
  }
  try {
    Document.from_json(json);
  } catch (err) {
    if (err instanceof DocumentError) throw new PlothostError("bad_request", `not a valid Bokeh document: ${err.message}`);
    throw err;
  }
  return json;
}

const visibilityFrom = (v: unknown): Visibility | undefined => {
  if (v === undefined) return undefined;
  if (typeof v === "string" && (VISIBILITIES as readonly string[]).includes(v)) return v as Visibility;
  throw new PlothostError("bad_request", `visibility must be one of ${VISIBILITIES.join(", ")}`);
};

/**
 * The published-documents HTTP API (`/api/v1/docs`). Private documents are invisible to others: they get 404, as
 * for a missing id. Every write is persisted before the response, and reaches connected viewers through the
 * store's change notifications.
 */
export function docsApi(deps: {
  store: DocumentStore; live: LiveDocuments; auth: DocsAuth; maxBodyBytes: number; baseUrl: (req: Request) => string;
  links: ShareLinks; onLinkRevoked: (linkId: number) => void;
}): Router {
  const { store, auth } = deps;
  const router = express.Router();
  router.use(express.json({ limit: deps.maxBodyBytes, type: ["application/json", "application/*+json"] }));
  router.use((err: unknown, _req: Request, _res: Response, next: (e?: unknown) => void) => next(bodyError(err)));

  const urls = (req: Request, meta: DocumentMeta) => {
    const base = deps.baseUrl(req);
    return { url: `${base}/doc/${meta.id}`, publicUrl: meta.visibility === "public" ? `${base}/doc/${meta.id}?public=true` : null };
  };
  const describe = (req: Request, meta: DocumentMeta) => ({ ...meta, ...urls(req, meta) });

  /** The document's metadata if `who` may see it, else 404 (never 403: a private document's existence is not told). */
  const visible = async (id: string, who: Identity): Promise<DocumentMeta> => {
    const meta = await store.getMeta(id).catch((err: unknown) => {
      throw err instanceof PlothostError && err.status === 404 ? new PlothostError("document_not_found") : err;
    });
    if (!canView(who, meta, false)) throw new PlothostError("document_not_found");
    return meta;
  };
  const managed = async (id: string, who: Identity): Promise<DocumentMeta> => {
    const meta = await visible(id, who);
    if (!canManage(who, meta)) throw new PlothostError("not_document_owner");
    return meta;
  };
  const ifMatch = (req: Request): number | undefined => {
    const h = req.headers["if-match"];
    if (h === undefined) return undefined;
    const m = /^"?v(\d+)"?$/.exec(h);
    if (!m) throw new PlothostError("bad_request", 'If-Match must be a version tag such as "v3" (from the ETag header)');
    return Number(m[1]);
  };
  const origin = (req: Request) => `api:${String(req.headers["x-request-id"] ?? "")}`;

  router.post("/", async (req: Request, res: Response) => {
    const who = await auth.require(req, "publish");
    const doc = docJsonFrom(req.body);
    const name = typeof req.query.name === "string" && req.query.name.trim() ? req.query.name.trim() : (doc.title ?? "untitled");
    const meta = await store.create({ owner: who.username, name, doc, visibility: visibilityFrom(req.query.visibility) });
    res.status(201).setHeader("etag", `"v${meta.version}"`).json(describe(req, meta));
  });

  router.get("/", async (req: Request, res: Response) => {
    const who = await auth.require(req, "read");
    res.json({ documents: (await store.list({ owner: who.username })).map((m) => describe(req, m)) });
  });

  router.get("/:id", async (req: Request, res: Response) => {
    const who = await auth.require(req, "read");
    await visible(String(req.params.id), who);
    const stored = await store.get(String(req.params.id));
    res.setHeader("etag", `"v${stored.meta.version}"`).json(stored.doc);
  });

  router.get("/:id/meta", async (req: Request, res: Response) => {
    const who = await auth.require(req, "read");
    res.json(describe(req, await visible(String(req.params.id), who)));
  });

  router.put("/:id", async (req: Request, res: Response) => {
    const who = await auth.require(req, "publish");
    await managed(String(req.params.id), who);
    const meta = await store.replace(String(req.params.id), docJsonFrom(req.body), { expectedVersion: ifMatch(req), origin: origin(req) });
    res.setHeader("etag", `"v${meta.version}"`).json(describe(req, meta));
  });

  router.patch("/:id", async (req: Request, res: Response) => {
    const who = await auth.require(req, "publish");
    await managed(String(req.params.id), who);
    const b = (req.body ?? {}) as Record<string, unknown>;
    const unknown = Object.keys(b).filter((k) => !["name", "title", "visibility", "sharedWith"].includes(k));
    if (unknown.length > 0) throw new PlothostError("bad_request", `unknown fields: ${unknown.join(", ")} (allowed: name, title, visibility, sharedWith)`);
    if (b.sharedWith !== undefined && (!Array.isArray(b.sharedWith) || !b.sharedWith.every((u) => typeof u === "string"))) {
      throw new PlothostError("bad_request", "sharedWith must be a list of usernames");
    }
    for (const k of ["name", "title"] as const) if (b[k] !== undefined && typeof b[k] !== "string") throw new PlothostError("bad_request", `${k} must be a string`);
    const meta = await store.updateMeta(String(req.params.id), {
      ...(b.name !== undefined ? { name: b.name as string } : {}),
      ...(b.title !== undefined ? { title: b.title as string } : {}),
      ...(b.visibility !== undefined ? { visibility: visibilityFrom(b.visibility) } : {}),
      ...(b.sharedWith !== undefined ? { sharedWith: b.sharedWith as string[] } : {}),
    }, { origin: origin(req) });
    res.json(describe(req, meta));
  });

  const write = async (req: Request, res: Response, events: () => Promise<unknown[]>) => {
    const who = await auth.require(req, "publish");
    await managed(String(req.params.id), who);
    const meta = await store.applyEvents(String(req.params.id), await events(), { expectedVersion: ifMatch(req), origin: origin(req) });
    res.setHeader("etag", `"v${meta.version}"`).json({ id: meta.id, version: meta.version });
  };

  router.post("/:id/events", (req: Request, res: Response) => write(req, res, async () => {
    const events = (req.body as { events?: unknown } | null)?.events;
    if (!Array.isArray(events)) throw new PlothostError("bad_request", "the body must be {events: [...]} (Bokeh PATCH-DOC events)");
    return events;
  }));
  router.post("/:id/stream", (req: Request, res: Response) => write(req, res, async () =>
    [columnsStreamedEvent((await deps.live.session(String(req.params.id))).document, req.body)]));
  router.post("/:id/patch", (req: Request, res: Response) => write(req, res, async () =>
    [columnsPatchedEvent((await deps.live.session(String(req.params.id))).document, req.body)]));

  router.delete("/:id", async (req: Request, res: Response) => {
    const who = await auth.require(req, "publish");
    await managed(String(req.params.id), who);
    await store.delete(String(req.params.id), { expectedVersion: ifMatch(req), origin: origin(req) });
    await deps.links.removeAll(String(req.params.id));
    res.status(204).end();
  });

  // Share links: secret URLs, each view-only or interactive, expiring and revocable on its own.
  router.post("/:id/links", async (req: Request, res: Response) => {
    const who = await auth.require(req, "publish");
    const meta = await managed(String(req.params.id), who);
    const b = (req.body ?? {}) as { mode?: unknown; expiresIn?: unknown };
    const mode = b.mode ?? "view";
    if (mode !== "view" && mode !== "interact") throw new PlothostError("bad_request", 'mode must be "view" or "interact"');
    if (b.expiresIn !== undefined && !(Number.isInteger(b.expiresIn) && (b.expiresIn as number) > 0)) {
      throw new PlothostError("bad_request", "expiresIn must be a positive number of seconds");
    }
    const { link, secret } = await deps.links.create(meta.id, { mode, expiresInS: b.expiresIn as number | undefined, createdBy: who.username });
    res.status(201).json({ ...link, url: `${deps.baseUrl(req)}/s/${secret}` });
  });
  router.get("/:id/links", async (req: Request, res: Response) => {
    const who = await auth.require(req, "publish");
    const meta = await managed(String(req.params.id), who);
    res.json({ links: await deps.links.list(meta.id) });
  });
  router.delete("/:id/links/:linkId", async (req: Request, res: Response) => {
    const who = await auth.require(req, "publish");
    const meta = await managed(String(req.params.id), who);
    const linkId = Number(req.params.linkId);
    if (!Number.isInteger(linkId) || !(await deps.links.revoke(meta.id, linkId))) throw new PlothostError("not_found", "no such live share link");
    deps.onLinkRevoked(linkId);
    res.status(204).end();
  });

  return router;
}

/** body-parser's errors, in the catalogue's terms: malformed JSON is a 400, an oversized body a 413. */
function bodyError(err: unknown): unknown {
  const type = (err as { type?: unknown } | null)?.type;
  if (type === "entity.parse.failed") return new PlothostError("bad_request", `the body is not valid JSON: ${(err as Error).message}`);
  if (type === "entity.too.large") return new PlothostError("payload_too_large", "the request body is over the document size limit (--max-document-size)");
  return err;
}
