import type { IncomingMessage } from "node:http";

/**
 * With `--use-xheaders`: the host the proxy in front was asked for (`X-Forwarded-Host`, its first value) replaces
 * `Host`, so absolute links (`url`, `publicUrl`, app URLs) and the WebSocket origin check use the public name.
 * `X-Forwarded-Proto` and `X-Forwarded-For` are express's `trust proxy` (req.protocol, req.ip).
 */
export function applyForwardedHost(req: IncomingMessage): void {
  const header = req.headers["x-forwarded-host"];
  const first = (Array.isArray(header) ? header[0] : header)?.split(",")[0]?.trim();
  if (first) req.headers.host = first;
}
