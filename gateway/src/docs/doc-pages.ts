import express, { type Request, type Response, type Router } from "express";
import { generateSessionId, generateToken } from "../../../shared/protocol/index.ts";
import { PlothostError } from "../../../shared/errors/catalogue.ts";
import { autoloadScript, sessionPage } from "../../../shared/session/page.ts";
import type { DocumentStore } from "../../../shared/storage/index.ts";
import { canView, type DocsAuth } from "./doc-access.ts";
import type { ShareLinks } from "./share-links.ts";

export interface DocPagesDeps {
  store: DocumentStore;
  auth: DocsAuth;
  tokenExpirationS: number;
  secretKey: string | null;
}

/** `?public=true` asks for the public view: no login needed, and only public documents are served. */
export const isPublicView = (query: URLSearchParams | Request["query"]): boolean =>
  (query instanceof URLSearchParams ? query.get("public") : query.public) === "true";

/** `?embed=1` asks for the page meant for an `<iframe>` (see `sessionPage`). */
export const isEmbed = (query: Request["query"]): boolean => query.embed === "1" || query.embed === "true";

/**
 * Who may put a page in a frame. A normal document page may be framed only by plothost's own pages
 * (`X-Frame-Options: SAMEORIGIN`, `frame-ancestors 'self'`), so another site cannot overlay an interactive document
 * and steer a logged-in viewer's clicks; an `?embed=1` page exists to be framed by other sites and sends neither
 * header. What an embed shows is still decided by who the viewer is: a cross-site frame carries no login cookie
 * (SameSite=Lax), so it gets the public view.
 */
function setFramePolicy(res: Response, embed: boolean): void {
  if (embed) return;
  res.setHeader("x-frame-options", "SAMEORIGIN").setHeader("content-security-policy", "frame-ancestors 'self'");
}

/**
 * The pages of published documents: `/doc/<id>` (all roots), `/doc/<id>/<rootid>` (one root), either with
 * `?embed=1` for an `<iframe>` in another site, and `/doc/<id>/autoload.js` for embedding with a script tag. A
 * document the visitor may not see is a 404, the same as a missing id. The browser then opens
 * `/doc/<id>[/<rootid>]/ws`, handled by the doc sockets.
 */
export function docPages(deps: DocPagesDeps): Router {
  const router = express.Router();
  const token = () => {
    const signed = deps.secretKey !== null;
    const id = generateSessionId({ secretKey: deps.secretKey ?? undefined, signed });
    return generateToken(id, { expiration: deps.tokenExpirationS, secretKey: deps.secretKey ?? undefined, signed });
  };
  const load = async (req: Request) => {
    const id = String(req.params.id);
    const asked = isPublicView(req.query);
    const who = asked ? null : await deps.auth.identify(req);
    // Anonymous visitors get the public view, `?public=true` or not (embeds carry the host page's query).
    const publicView = asked || who === null;
    const stored = await deps.store.get(id).catch((err: unknown) => {
      throw err instanceof PlothostError && err.status === 404 ? new PlothostError("document_not_found") : err;
    });
    if (!canView(who, stored.meta, publicView)) throw new PlothostError("document_not_found");
    return stored;
  };
  const rootIdsOf = (roots: unknown[]): string[] => roots.map((r) => String((r as { id?: unknown }).id));
  const mount = (req: Request) => req.baseUrl.replace(/\/doc$/, "");

  router.get("/:id/autoload.js", async (req: Request, res: Response) => {
    const elementId = req.query["bokeh-autoload-element"];
    if (typeof elementId !== "string" || !elementId) throw new PlothostError("bad_request", "autoload.js needs ?bokeh-autoload-element=<element id>");
    await load(req);
    const absoluteUrl = typeof req.query["bokeh-absolute-url"] === "string" ? req.query["bokeh-absolute-url"] : null;
    let origin = "";
    try {
      if (absoluteUrl) origin = new URL(absoluteUrl).origin;
    } catch {
      throw new PlothostError("bad_request", "bokeh-absolute-url is not a URL");
    }
    res.type("application/javascript").setHeader("cache-control", "no-store");
    res.send(autoloadScript({
      token: token(), elementId, appPath: `${mount(req)}/doc/${String(req.params.id)}`, absoluteUrl,
      staticPrefix: `${origin}${mount(req)}/static`, loadResources: req.query.resources !== "none",
    }));
  });

  router.get(["/:id", "/:id/:root"], async (req: Request, res: Response) => {
    const stored = await load(req);
    const all = rootIdsOf(stored.doc.roots);
    const root = req.params.root === undefined ? null : String(req.params.root);
    if (root !== null && !all.includes(root)) throw new PlothostError("not_found", `this document has no root ${root}`);
    const embed = isEmbed(req.query);
    res.type("html").setHeader("cache-control", "no-store");
    setFramePolicy(res, embed);
    res.send(sessionPage({ title: stored.meta.title, token: token(), rootIds: root ? [root] : all, staticPrefix: `${mount(req)}/static`, embed }));
  });
  return router;
}

/** `/s/<secret>`: the page a share link opens (its WebSocket is `/s/<secret>/ws`). */
export function shareLinkPages(deps: DocPagesDeps & { links: ShareLinks }): Router {
  const router = express.Router();
  router.get("/:secret", async (req: Request, res: Response) => {
    const link = await deps.links.resolve(String(req.params.secret));
    const stored = await deps.store.get(link.docId).catch((err: unknown) => {
      throw err instanceof PlothostError && err.status === 404 ? new PlothostError("share_link_invalid") : err;
    });
    const signed = deps.secretKey !== null;
    const id = generateSessionId({ secretKey: deps.secretKey ?? undefined, signed });
    const token = generateToken(id, { expiration: deps.tokenExpirationS, secretKey: deps.secretKey ?? undefined, signed });
    const embed = isEmbed(req.query);
    res.type("html").setHeader("cache-control", "no-store").setHeader("referrer-policy", "no-referrer");
    setFramePolicy(res, embed);
    res.send(sessionPage({
      title: stored.meta.title, token, rootIds: stored.doc.roots.map((r) => String((r as { id?: unknown }).id)),
      staticPrefix: `${req.baseUrl.replace(/\/s$/, "")}/static`, embed,
    }));
  });
  return router;
}
