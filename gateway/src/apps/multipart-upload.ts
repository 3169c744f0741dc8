import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { pipeline } from "node:stream/promises";
import type { Request } from "express";
import busboy from "busboy";
import { PlothostError } from "../../../shared/errors/catalogue.ts";

/** A received form: its text fields and the one file (saved under `dir`), or null when none was sent. */
export interface Upload {
  readonly fields: Readonly<Record<string, string>>;
  readonly file: string | null;
  readonly bytes: number;
}

/**
 * Streams a `multipart/form-data` request to disk: text fields are kept, the file field `fileField` is written
 * to a new file in `dir` (the caller moves or deletes it), other files are discarded. A file over `maxBytes`
 * fails with 413 `payload_too_large` (its partial copy deleted); a request that is not a multipart form, with 400.
 */
export function receiveUpload(req: Request, opts: { dir: string; maxBytes: number; fileField: string }): Promise<Upload> {
  if (!req.is("multipart/form-data")) {
    return Promise.reject(new PlothostError("bad_request", `send a multipart/form-data form with the fields name and ${opts.fileField} (curl -F name=myapp -F ${opts.fileField}=@myapp.tar.gz)`));
  }
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fileSize: opts.maxBytes, files: 2, fields: 20, fieldSize: 4096 } });
    } catch (err) {
      return reject(new PlothostError("bad_request", `the form could not be read (${(err as Error).message})`));
    }
    const fields: Record<string, string> = {};
    let file: string | null = null;
    let bytes = 0;
    let problem: PlothostError | null = null;
    let writing: Promise<void> = Promise.resolve();
    parser.on("field", (name, value) => void (fields[name] = value));
    parser.on("file", (field, stream) => {
      if (field !== opts.fileField || file !== null) return void stream.resume();
      fs.mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
      const target = (file = path.join(opts.dir, `${randomUUID()}.upload`));
      stream.on("data", (chunk: Buffer) => void (bytes += chunk.length));
      stream.on("limit", () => void (problem ??= new PlothostError("payload_too_large", `the archive is larger than ${opts.maxBytes} bytes`)));
      writing = pipeline(stream, fs.createWriteStream(target, { mode: 0o600 }));
    });
    let settled = false;
    parser.on("error", (err: Error) => {
      if (settled) return;
      settled = true;
      if (file) void writing.finally(() => fs.rmSync(file!, { force: true })).catch(() => {});
      reject(problem ?? new PlothostError("bad_request", `the form could not be read (${err.message})`));
    });
    parser.on("close", () => {
      if (settled) return;
      settled = true;
      writing.then(() => {
        if (!problem) return resolve({ fields, file, bytes });
        if (file) fs.rmSync(file, { force: true });
        reject(problem);
      }, (err: Error) => {
        if (file) fs.rmSync(file, { force: true });
        reject(problem ?? new PlothostError("bad_request", `the upload was cut short (${err.message})`));
      });
    });
    req.on("aborted", () => parser.destroy(new Error("the client went away")));
    req.pipe(parser);
  });
}
