import type { IncomingMessage } from "node:http";
import type { Auth } from "../auth/create-auth.ts";
import { principalOf, requireScope } from "../auth/principal.ts";
import type { DocsAuth, Identity } from "./doc-access.ts";

/**
 * The accounts layer as the documents feature sees it. HTTP requests were authenticated by `auth.authenticate`
 * already (their principal is attached); WebSocket upgrades are authenticated here, without requiring a login,
 * since public documents are open to anyone.
 */
export function docsAuth(auth: Auth): DocsAuth {
  return {
    identify: async (req: IncomingMessage): Promise<Identity | null> => principalOf(req) ?? (await auth.identify(req)),
    require: async (req, scope) => requireScope(req, scope),
  };
}
