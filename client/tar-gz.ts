import fs from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { ValidationError } from "./errors.ts";

/** Directories never packed: version control, dependencies (the server provides plothost's), local server data. */
const SKIPPED_DIRS = new Set([".git", ".hg", ".svn", "node_modules", ".plothost", "__pycache__"]);
const BLOCK = 512;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

/** A ustar header for a regular file at `name` (forward slashes, relative). */
function header(name: string, size: number, mode: number, mtimeS: number): Buffer {
  let prefix = "";
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const split = [...name.matchAll(/\//g)].map((m) => m.index!).find((i) => Buffer.byteLength(name.slice(i + 1)) <= 100 && Buffer.byteLength(name.slice(0, i)) <= 155);
    if (split === undefined) throw new ValidationError(`the path ${name} is too long to pack (over 255 bytes); shorten it`, { code: "path_too_long" });
    prefix = name.slice(0, split);
    base = name.slice(split + 1);
  }
  const h = Buffer.alloc(BLOCK, 0);
  h.write(base, 0, 100, "utf8");
  h.write(octal(mode & 0o7777, 8), 100, "ascii");
  h.write(octal(0, 8), 108, "ascii");
  h.write(octal(0, 8), 116, "ascii");
  h.write(octal(size, 12), 124, "ascii");
  h.write(octal(mtimeS, 12), 136, "ascii");
  h.write("        ", 148, "ascii");
  h.write("0", 156, "ascii");
  h.write("ustar\0", 257, "ascii");
  h.write("00", 263, "ascii");
  h.write(prefix, 345, 155, "utf8");
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return h;
}

/** Regular files under `dir` (relative paths, sorted), skipping {@link SKIPPED_DIRS} and anything not a plain file. */
function listFiles(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) out.push(...listFiles(dir, p));
    } else if (entry.isFile()) {
      out.push(p);
    }
  }
  return out;
}

/**
 * Packs an app for `POST /api/v1/apps`: a directory (its regular files, recursively, without `.git`,
 * `node_modules`, `.plothost`; symlinks are not followed) or a single file, as a gzipped ustar archive with paths
 * relative to the directory (a single file sits at the archive's root). Owners are 0, modes and times kept.
 */
export function packApp(target: string): Uint8Array {
  const stat = fs.statSync(target);
  const root = stat.isDirectory() ? target : path.dirname(target);
  const files = stat.isDirectory() ? listFiles(target) : [path.basename(target)];
  if (files.length === 0) throw new ValidationError(`${target} has no files to deploy`, { code: "empty_app" });
  const parts: Buffer[] = [];
  for (const rel of files) {
    const full = path.join(root, rel);
    const s = fs.statSync(full);
    const data = fs.readFileSync(full);
    parts.push(header(rel, data.length, s.mode, Math.floor(s.mtimeMs / 1000)), data);
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (pad > 0) parts.push(Buffer.alloc(pad, 0));
  }
  parts.push(Buffer.alloc(BLOCK * 2, 0));
  return gzipSync(Buffer.concat(parts));
}
