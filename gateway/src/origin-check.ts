import type { IncomingMessage } from "node:http";

/**
 * Whether a WebSocket upgrade's `Origin` is acceptable. Browsers always send `Origin`; non-browser clients
 * (bokeh.client, scripts) do not, and are allowed. With no configured list the only allowed origin is the
 * request's own host (same-origin), which is what a page served by plothost uses. `*` allows any.
 */
export function isOriginAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  let host: string;
  try {
    host = new URL(origin).host.toLowerCase();
  } catch {
    return false;
  }
  if (allowed.includes("*")) return true;
  const list = allowed.length > 0 ? allowed.map((a) => a.toLowerCase()) : [String(req.headers.host ?? "").toLowerCase()];
  return list.some((a) => a === host || (!a.includes(":") && host.split(":")[0] === a));
}
