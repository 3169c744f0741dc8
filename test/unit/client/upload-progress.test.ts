import { Readable } from "node:stream";
import busboy from "busboy";
import { describe, expect, it } from "vitest";
import { multipartBody } from "../../../client/multipart.ts";
import { overlap } from "../../../client/apps-api.ts";
import { ProgressBar } from "../../../gateway/src/cli/progress-bar.ts";

/** Parses a multipart body with busboy (what the server uses). */
function parse(body: Buffer, contentType: string): Promise<{ fields: Record<string, string>; file: Buffer; filename: string }> {
  return new Promise((resolve, reject) => {
    const bb = busboy({ headers: { "content-type": contentType } });
    const fields: Record<string, string> = {};
    const chunks: Buffer[] = [];
    let filename = "";
    bb.on("field", (k, v: string) => void (fields[k] = v));
    bb.on("file", (_f, stream, info) => {
      filename = info.filename ?? "";
      stream.on("data", (c: Buffer) => chunks.push(c));
    });
    bb.on("close", () => resolve({ fields, file: Buffer.concat(chunks), filename }));
    bb.on("error", reject);
    Readable.from([body]).pipe(bb);
  });
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of stream as unknown as AsyncIterable<Uint8Array>) parts.push(c);
  return Buffer.concat(parts);
}

describe("deploy upload", () => {
  it("builds a multipart form the server's parser reads, reporting progress up to the exact length", async () => {
    const data = Buffer.alloc(200_000, 7);
    const progress: number[] = [];
    const make = multipartBody({ name: "myapp" }, { field: "archive", filename: "myapp.tar.gz", contentType: "application/gzip", data }, (sent, total) => {
      progress.push(sent);
      expect(sent).toBeLessThanOrEqual(total);
    });
    const { body, headers } = make();
    const bytes = await drain(body);
    expect(Number(headers["content-length"])).toBe(bytes.length);
    expect(progress.at(-1)).toBe(bytes.length);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const parsed = await parse(bytes, headers["content-type"]);
    expect(parsed.fields).toEqual({ name: "myapp" });
    expect(parsed.filename).toBe("myapp.tar.gz");
    expect(parsed.file.equals(data)).toBe(true);
    expect((await drain(make().body)).equals(bytes)).toBe(true); // a fresh stream for a retry
  });

  it("draws a bar on a terminal and prints a line per quarter elsewhere", () => {
    const capture = (isTTY: boolean) => {
      let text = "";
      const out = { isTTY, write: (chunk: string) => void (text += chunk) } as unknown as NodeJS.WritableStream & { isTTY: boolean };
      const bar = new ProgressBar(out, "upload");
      for (const sent of [0, 10, 30, 60, 99, 100]) bar.update(sent * 1024, 100 * 1024);
      bar.finish();
      return text;
    };
    expect(capture(false).trim().split("\n")).toEqual([
      "upload 0% (0 B / 100.0 KB)", "upload 30% (30.0 KB / 100.0 KB)", "upload 60% (60.0 KB / 100.0 KB)", "upload 99% (99.0 KB / 100.0 KB)",
      "upload 100% (100.0 KB / 100.0 KB)",
    ]);
    const tty = capture(true);
    expect(tty).toMatch(/^\rupload \[-{30}\]\s+0%/);
    expect(tty.endsWith(`\rupload [${"#".repeat(30)}] 100%  100.0 KB / 100.0 KB\u001b[K\n`)).toBe(true);
  });

  it("prints each followed log line once: the part of the tail already seen is skipped", () => {
    expect(overlap([], ["a"])).toBe(0);
    expect(overlap(["a", "b", "c"], ["b", "c", "d"])).toBe(2);
    expect(overlap(["a", "b"], ["a", "b"])).toBe(2);
    expect(overlap(["x", "x"], ["x", "x", "x"])).toBe(2);
    expect(overlap(["a"], ["b"])).toBe(0);
  });
});
