import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import crypto from "node:crypto";
import { createRequire } from "node:module";
import type { Request, Response, NextFunction } from "express";

interface Asset {
  raw: Buffer;
  gzip: Buffer;
  brotli: Buffer;
  etag: string;
}

/** Where the installed `@bokeh/bokehjs` package keeps its browser bundles. */
export function bokehjsBundleDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve("@bokeh/bokehjs/package.json")), "build", "js");
}

/**
 * Serves the BokehJS bundles from the npm package at `/static/js/<file>`: compressed once (brotli and gzip) and
 * kept in memory, with a strong ETag and a year of `immutable` caching (pages add `?v=<version>`). Only the
 * top-level `*.js` bundles are served; anything else is a 404.
 */
export function bokehjsStatic(dir = bokehjsBundleDir()): (req: Request, res: Response, next: NextFunction) => void {
  const cache = new Map<string, Asset>();
  const allowed = new Set(fs.readdirSync(dir).filter((f) => /^bokeh[\w.-]*\.js$/.test(f)));

  const load = (file: string): Asset => {
    let asset = cache.get(file);
    if (!asset) {
      const raw = fs.readFileSync(path.join(dir, file));
      asset = {
        raw,
        gzip: zlib.gzipSync(raw, { level: 9 }),
        brotli: zlib.brotliCompressSync(raw, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 } }),
        etag: `"${crypto.createHash("sha256").update(raw).digest("base64url").slice(0, 27)}"`,
      };
      cache.set(file, asset);
    }
    return asset;
  };

  return (req, res, next) => {
    const file = String(req.params.file ?? "");
    if (!allowed.has(file)) return next();
    const asset = load(file);
    res.setHeader("content-type", "application/javascript; charset=utf-8");
    res.setHeader("cache-control", "public, max-age=31536000, immutable");
    res.setHeader("etag", asset.etag);
    res.setHeader("vary", "accept-encoding");
    if (req.headers["if-none-match"] === asset.etag) {
      res.status(304).end();
      return;
    }
    const accept = String(req.headers["accept-encoding"] ?? "");
    let body = asset.raw;
    if (/\bbr\b/.test(accept)) {
      res.setHeader("content-encoding", "br");
      body = asset.brotli;
    } else if (/\bgzip\b/.test(accept)) {
      res.setHeader("content-encoding", "gzip");
      body = asset.gzip;
    }
    res.setHeader("content-length", String(body.length));
    res.end(req.method === "HEAD" ? undefined : body);
  };
}
