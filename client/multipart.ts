import { randomBytes } from "node:crypto";

/** A file part of a multipart form. */
export interface FilePart {
  readonly field: string;
  readonly filename: string;
  readonly contentType: string;
  readonly data: Uint8Array;
}

const CHUNK = 64 * 1024;

/**
 * A `multipart/form-data` body of text fields and one file, as a stream that reports upload progress
 * (`onProgress(sentBytes, totalBytes)` as the HTTP client pulls each chunk), with an exact `content-length`.
 * Returns a factory: each call makes a fresh stream, so a retried request can send it again.
 */
export function multipartBody(
  fields: Readonly<Record<string, string>>, file: FilePart, onProgress?: (sent: number, total: number) => void,
): () => { body: ReadableStream<Uint8Array>; headers: Record<string, string> } {
  const boundary = `----plothost${randomBytes(12).toString("hex")}`;
  const quote = (s: string) => s.replace(/["\r\n\\]/g, "_");
  const head = Object.entries(fields)
    .map(([k, v]) => `--${boundary}\r\ncontent-disposition: form-data; name="${quote(k)}"\r\n\r\n${v}\r\n`)
    .join("") +
    `--${boundary}\r\ncontent-disposition: form-data; name="${quote(file.field)}"; filename="${quote(file.filename)}"\r\ncontent-type: ${file.contentType}\r\n\r\n`;
  const parts = [Buffer.from(head, "utf8"), file.data, Buffer.from(`\r\n--${boundary}--\r\n`, "utf8")];
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  return () => {
    let part = 0;
    let offset = 0;
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        while (part < parts.length && offset >= parts[part].byteLength) {
          part++;
          offset = 0;
        }
        if (part >= parts.length) return controller.close();
        const chunk = parts[part].subarray(offset, offset + CHUNK);
        offset += chunk.byteLength;
        sent += chunk.byteLength;
        controller.enqueue(chunk);
        onProgress?.(sent, total);
      },
    });
    return { body, headers: { "content-type": `multipart/form-data; boundary=${boundary}`, "content-length": String(total) } };
  };
}
