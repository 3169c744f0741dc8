import http from "node:http";

/**
 * POSTs JSON to a worker's internal endpoint over its Unix socket; resolves with the status and parsed body.
 * Rejects when the worker does not answer within `timeoutMs` or the connection fails.
 */
export function postToWorker(socketPath: string, path: string, body: unknown, timeoutMs: number): Promise<{ status: number; body: unknown }> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request({
      socketPath, path, method: "POST", agent: false, timeout: timeoutMs,
      headers: { "content-type": "application/json", "content-length": payload.length },
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
    req.on("timeout", () => req.destroy(new Error(`worker did not answer ${path} within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end(payload);
  });
}
