import fs from "node:fs";
import path from "node:path";
import type http from "node:http";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8", ".json": "application/json; charset=utf-8", ".txt": "text/plain; charset=utf-8",
  ".csv": "text/csv; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp", ".ico": "image/x-icon", ".woff2": "font/woff2",
  ".woff": "font/woff", ".wasm": "application/wasm", ".map": "application/json; charset=utf-8",
};

/**
 * Serves a directory app's `static/` files (GET and HEAD). `relPath` is the URL path after `<prefix>/static/`.
 * Returns false when there is no such file (the caller answers 404). Paths that leave the directory, also through
 * symlinks, and dot-files are never served. Files are revalidated (`no-cache` with Last-Modified), since a new
 * deploy may change them under the same URL.
 */
export function serveStatic(req: http.IncomingMessage, res: http.ServerResponse, staticDir: string, relPath: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relPath);
  } catch {
    return false;
  }
  if (decoded.includes("\0") || decoded.split("/").some((seg) => seg.startsWith("."))) return false;
  const root = fs.realpathSync(staticDir);
  let file: string;
  try {
    file = fs.realpathSync(path.join(root, decoded));
  } catch {
    return false;
  }
  if (!file.startsWith(`${root}${path.sep}`)) return false;
  const stat = fs.statSync(file);
  if (!stat.isFile()) return false;
  const lastModified = stat.mtime.toUTCString();
  const headers = {
    "content-type": TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream",
    "cache-control": "no-cache", "last-modified": lastModified, "x-content-type-options": "nosniff",
  };
  if (req.headers["if-modified-since"] === lastModified) {
    res.writeHead(304, headers).end();
    return true;
  }
  res.writeHead(200, { ...headers, "content-length": String(stat.size) });
  if (req.method === "HEAD") res.end();
  else fs.createReadStream(file).pipe(res);
  return true;
}
