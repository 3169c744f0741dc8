import http from "node:http";

/**
 * One request to a worker's own endpoints over its Unix socket (health, saved sessions): GET, or POST of `body` as
 * JSON. Resolves with the status and the parsed body (the text when it is not JSON); rejects when the worker does
 * not answer within `timeoutMs` or the connection fails.
 */
export function requestWorker(
  socketPath: string, path: string, opts: { body?: unknown; timeoutMs: number },
): Promise<{ status: number; body: unknown }> {
  const payload = opts.body === undefined ? null : Buffer.from(JSON.stringify(opts.body));
  return new Promise((resolve, reject) => {
    const req = http.request({
      socketPath, path, method: payload ? "POST" : "GET", agent: false, timeout: opts.timeoutMs,
      headers: payload ? { "content-type": "application/json", "content-length": payload.length } : {},
    }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => {
        let parsed: unknown = null;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`worker did not answer ${path} within ${opts.timeoutMs} ms`)));
    req.on("error", reject);
    req.end(payload ?? undefined);
  });
}
