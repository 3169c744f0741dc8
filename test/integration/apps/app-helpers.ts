/**
 * Helpers for the deployed-apps tests: app archives (real ones made with tar, and hand-made hostile ones), the
 * deploy API, and bounded waits for jobs, log lines and supervisor states.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import type { EventEmitter } from "node:events";
import * as tar from "tar";
import { pullDocReq } from "../../../shared/protocol/index.ts";
import { BokehTestClient, tokenFromPage } from "../../helpers/bokeh-client.ts";

export const fixture = (name: string): string => new URL(`../../fixtures/apps/${name}`, import.meta.url).pathname;

/** A .tar.gz of `target` (a directory, kept as the archive's top folder, or one file) made with tar. */
export async function tarGz(target: string): Promise<Buffer> {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plothost-tgz-")), "app.tar.gz");
  try {
    await tar.c({ gzip: true, portable: true, cwd: path.dirname(target), file: out }, [path.basename(target)]);
    return fs.readFileSync(out);
  } finally {
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
  }
}

/** A .tar.gz of the given files (path → content), made with tar from a scratch directory. */
export async function tarGzOf(files: Record<string, string>): Promise<Buffer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-src-"));
  try {
    for (const [p, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
      fs.writeFileSync(path.join(dir, p), content);
    }
    const out = path.join(dir, "..", `${path.basename(dir)}.tar.gz`);
    await tar.c({ gzip: true, portable: true, cwd: dir, file: out }, Object.keys(files));
    const buf = fs.readFileSync(out);
    fs.rmSync(out);
    return buf;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** One raw tar entry: tar tools refuse to write hostile archives, so tests write the ustar headers themselves. */
export interface RawEntry {
  name: string;
  type?: "0" | "1" | "2" | "3" | "5" | "6";
  linkname?: string;
  content?: string;
}

/** A .tar.gz written byte by byte (ustar headers), e.g. with `../` paths or links leading out. */
export function rawTarGz(entries: RawEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.content ?? "");
    const h = Buffer.alloc(512);
    h.write(e.name, 0, 100);
    h.write("0000644\0", 100);
    h.write("0000000\0", 108);
    h.write("0000000\0", 116);
    h.write(`${body.length.toString(8).padStart(11, "0")}\0`, 124);
    h.write("00000000000\0", 136);
    h.write("        ", 148);
    h.write(e.type ?? "0", 156);
    h.write(e.linkname ?? "", 157, 100);
    h.write("ustar\0", 257);
    h.write("00", 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    blocks.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return zlib.gzipSync(Buffer.concat(blocks));
}

/** `POST /api/v1/apps` with the multipart form the README shows. */
export async function deploy(base: string, name: string | null, archive: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const form = new FormData();
  if (name !== null) form.set("name", name);
  form.set("archive", new Blob([new Uint8Array(archive)], { type: "application/gzip" }), "app.tar.gz");
  const res = await fetch(`${base}/api/v1/apps`, { method: "POST", body: form, headers });
  return { status: res.status, body: await res.json() };
}

export async function api(base: string, method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}/api/v1/apps${p}`, {
    method, headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** Polls the deploy status endpoint (as a client would) until the job is done or failed; bounded. */
export async function waitForJob(base: string, app: string, id: string, headers: Record<string, string> = {}, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await api(base, "GET", `/${app}/deploys/${id}`, undefined, headers);
    if (status === 200 && (body.state === "done" || body.state === "failed")) return body;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${JSON.stringify(body)} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolves with the first line (already seen or coming) matching `re`, from a LogRing-like or supervisor emitter. */
export function waitForLine(source: EventEmitter & { tail?(): string[] }, re: RegExp, timeoutMs = 30_000): Promise<string> {
  const seen = source.tail?.().find((l) => re.test(l));
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      source.off("line", onLine);
      reject(new Error(`no log line matching ${re} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onLine = (l: string) => {
      if (!re.test(l)) return;
      clearTimeout(timer);
      source.off("line", onLine);
      resolve(l);
    };
    source.on("line", onLine);
  });
}

/** Resolves when `emitter` emits `state` with `want` (or is in it already, per `current()`); bounded. */
export function waitForState(emitter: EventEmitter, current: () => string, want: string, timeoutMs = 30_000): Promise<void> {
  if (current() === want) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off("state", on);
      reject(new Error(`state is ${current()}, not ${want}, after ${timeoutMs} ms`));
    }, timeoutMs);
    const on = () => {
      if (current() !== want) return;
      clearTimeout(timer);
      emitter.off("state", on);
      resolve();
    };
    emitter.on("state", on);
  });
}

/** Opens an app page, connects its WebSocket and pulls the document. */
export async function openSession(base: string, appPath: string, query = ""): Promise<{ html: string; doc: any; client: BokehTestClient }> {
  const res = await fetch(`${base}${appPath}${query}`);
  const html = await res.text();
  if (res.status !== 200) throw new Error(`GET ${appPath} answered ${res.status}: ${html.slice(0, 300)}`);
  const client = await BokehTestClient.connect(`${base.replace(/^http/, "ws")}${appPath}/ws`, tokenFromPage(html));
  await client.next((m) => m.header.msgtype === "ACK");
  const req = pullDocReq();
  client.send(req);
  const reply = await client.reply(req.header.msgid);
  return { html, doc: (reply.content as { doc: unknown }).doc, client };
}

/** An API token with the scopes to deploy (`POST /api/v1/tokens`; in single-user mode no login is needed). */
export async function deployToken(base: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${base}/api/v1/tokens`, {
    method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify({ name: "deploy", scopes: ["read", "deploy"] }),
  });
  const body = (await res.json()) as { token?: string };
  if (!body.token) throw new Error(`no token: ${JSON.stringify(body)}`);
  return body.token;
}

/** The deploy API for one token: `deploy`, `api` and `waitForJob` with its Authorization header. */
export function appsClient(base: string, token: string) {
  const h = { authorization: `Bearer ${token}` };
  return {
    deploy: (name: string | null, archive: Buffer) => deploy(base, name, archive, h),
    api: (method: string, p: string, body?: unknown) => api(base, method, p, body, h),
    waitForJob: (app: string, id: string) => waitForJob(base, app, id, h),
  };
}
