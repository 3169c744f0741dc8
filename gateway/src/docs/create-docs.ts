import path from "node:path";
import type { Request, Router } from "express";
import type { GatewayConfig } from "../../../shared/config/index.ts";
import { PlothostError } from "../../../shared/errors/catalogue.ts";
import type { Logger } from "../../../shared/logging/create-logger.ts";
import { createStore } from "../../../shared/storage/create-store.ts";
import type { DocumentStore } from "../../../shared/storage/index.ts";
import type { DocsAuth } from "./doc-access.ts";
import { docsApi } from "./docs-api.ts";
import { docPages, shareLinkPages } from "./doc-pages.ts";
import { ShareLinks } from "./share-links.ts";
import type { Db } from "../db/prisma-client.ts";
import { DocSockets } from "./doc-sockets.ts";
import { LiveDocuments } from "./live-documents.ts";

/** Published documents, wired: the store, live sessions, the API, the pages and the viewers' sockets. */
export interface Docs {
  readonly store: DocumentStore;
  readonly api: Router;
  readonly pages: Router;
  /** `/s/<secret>` share-link pages. */
  readonly linkPages: Router;
  readonly sockets: DocSockets;
  /**
   * Deletes every document `owner` owns, with their share links; their viewers are disconnected (WebSocket close
   * 1008), in every gateway process on the same store. For an account being deleted. Returns how many went.
   */
  deleteOwnedBy(owner: string): Promise<number>;
  /**
   * Deletes one document with its share links (as its owner's `DELETE /api/v1/docs/:id` does); its viewers are
   * disconnected. For the admin console. `origin` says who deleted it in the store's change events.
   */
  deleteDocument(id: string, origin: string): Promise<void>;
  close(): Promise<void>;
}

/** The site's base URL as the client sees it (for the `url`/`publicUrl` the API returns). */
const baseUrl = (req: Request): string => `${req.protocol}://${req.get("host") ?? "localhost"}${req.baseUrl.replace(/\/api\/v1\/docs$/, "")}`;

export async function createDocs(config: GatewayConfig, logger: Logger, auth: DocsAuth, db: Db): Promise<Docs> {
  const log = logger.child({ component: "docs" });
  const limits = { maxDocumentBytes: config.maxDocumentBytes, maxUserBytes: config.maxUserBytes };
  const report = (r: unknown) => log.error({ report: r }, "document store report");
  const store = await createStore(
    config.backend === "memory" ? { backend: "memory", limits, report }
      : config.backend === "redis" ? { backend: "redis", url: config.redisUrl, keyPrefix: `${config.redisPrefix}docs:`, limits, report }
        : { backend: "file", directory: path.join(config.dataDir, "docs"), limits, report },
  );
  log.info({ backend: config.backend }, "document store open");
  const live = new LiveDocuments(store, {
    logger: log, idleUnloadMs: 30_000, binaryThresholdBytes: 64, downsampleThresholdRows: config.downsampleThresholdRows,
  });
  const secretKey = config.signSessions ? config.secretKey : null;
  const links = new ShareLinks(db);
  const sockets = new DocSockets({ live, auth, logger: log, secretKey, maxMessageBytes: config.maxMessageBytes, keepAliveMs: config.keepAliveMs,
    allowWebsocketOrigins: config.allowWebsocketOrigins, links, processTag: config.numProcs > 1 ? String(process.pid) : undefined,
  });
  const pageDeps = { store, auth, tokenExpirationS: config.sessionTokenExpirationS, secretKey };
  return {
    store,
    // JSON bodies carry base64 typed arrays, a third larger than the stored bytes.
    api: docsApi({
      store, live, auth, maxBodyBytes: Math.ceil(config.maxDocumentBytes * 1.4), baseUrl,
      links, onLinkRevoked: (linkId) => sockets.disconnectLink(linkId),
    }),
    pages: docPages(pageDeps),
    linkPages: shareLinkPages({ ...pageDeps, links }),
    sockets,
    deleteOwnedBy: async (owner) => {
      const owned = await store.list({ owner });
      for (const meta of owned) {
        // A document deleted meanwhile (by its owner, an admin) is already gone: that is fine.
        await store.delete(meta.id, { origin: "account-deletion" }).catch((err: unknown) => {
          if (!(err instanceof PlothostError && err.status === 404)) throw err;
        });
        await links.removeAll(meta.id);
      }
      if (owned.length > 0) log.info({ owner, documents: owned.length }, "deleted the documents of a deleted account");
      return owned.length;
    },
    deleteDocument: async (id, origin) => {
      await store.delete(id, { origin });
      await links.removeAll(id);
    },
    close: async () => {
      await sockets.close();
      await live.close();
      await store.close();
    },
  };
}
