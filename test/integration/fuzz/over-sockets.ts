import http from "node:http";
import WebSocket from "ws";
import { INVALID_PAYLOAD_CLOSE, Receiver, parseServerMessage, pullDocReq, encodeMessage, type Message } from "../../../shared/protocol/index.ts";
import { modelsIn, previewFrames, recordedClientMessages } from "./context.ts";
import { generateCase, type FuzzContext } from "./generator.ts";
import { isKnownIssue } from "./known-issues.ts";
import type { FuzzFailure, FuzzReport } from "./in-process.ts";
import { ALLOWED_REPLIES, expectationFor, type Expectation, type Frame } from "./oracle.ts";
import { Prng } from "./prng.ts";

/** What the socket fuzzer needs of a running gateway. */
export interface FuzzTarget {
  port: number;
  app: string;
  /** The gateway's --websocket-max-message-size. */
  maxMessageBytes: number;
}

/** A connection's view of the server: decoded messages, replies, how it closed. */
class Observed {
  readonly messages: Message[] = [];
  readonly replies: Message[] = [];
  closed: { code: number; reason: string } | null = null;
  decodeError: string | null = null;
  private readonly receiver = new Receiver({ maxMessageBytes: 1 << 30 });
  private wake: (() => void) | null = null;

  constructor(readonly ws: WebSocket) {
    ws.on("message", (data: Buffer, isBinary: boolean) => {
      try {
        const raw = this.receiver.consume(isBinary ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : data.toString("utf8"));
        if (raw) {
          const msg = parseServerMessage(raw);
          this.messages.push(msg);
          if (msg.header.reqid !== undefined) this.replies.push(msg);
        }
      } catch (err) {
        this.decodeError ??= (err as Error).message;
      }
      this.wake?.();
    });
    ws.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake?.();
    });
    ws.on("error", () => {}); // the close event follows
  }

  /** Resolves when `done()` holds (checked on every event), or rejects after `timeoutMs`. */
  until(done: () => boolean, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.wake = null;
        reject(new Error(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = () => {
        if (done()) {
          clearTimeout(timer);
          this.wake = null;
          resolve();
        }
      };
      this.wake = check;
      check();
    });
  }
}

function get(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: "127.0.0.1", port, path, timeout: 10_000, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString("utf8")) : reject(new Error(`GET ${path}: HTTP ${res.statusCode}`))));
    }).on("error", reject).on("timeout", function (this: http.ClientRequest) {
      this.destroy(new Error(`GET ${path} timed out`));
    });
  });
}

async function connect(target: FuzzTarget, token: string): Promise<Observed> {
  const ws = new WebSocket(`ws://127.0.0.1:${target.port}/${target.app}/ws`, ["bokeh", token], { perMessageDeflate: false, handshakeTimeout: 10_000 });
  const observed = new Observed(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
    ws.once("error", reject);
  });
  await observed.until(() => observed.messages.length > 0 || observed.closed !== null, 10_000);
  return observed;
}

/** A new session of the app: its token and the generator context built from its pulled document. */
export async function openFuzzSession(target: FuzzTarget): Promise<{ token: string; ctx: FuzzContext; doc: Record<string, unknown> }> {
  const page = await get(target.port, `/${target.app}`);
  const token = /"token":"([^"]+)"/.exec(page)?.[1];
  if (!token) throw new Error("no token in the session page");
  const c = await connect(target, token);
  const req = pullDocReq();
  for (const f of encodeMessage(req)) c.ws.send(f);
  await c.until(() => c.replies.length > 0 || c.closed !== null, 10_000);
  const reply = c.replies[0];
  if (reply?.header.msgtype !== "PULL-DOC-REPLY") throw new Error(`PULL-DOC-REQ answered with ${reply?.header.msgtype ?? `close ${c.closed?.code}`}`);
  c.ws.close(1000);
  const doc = (reply.content as { doc: Record<string, unknown> }).doc;
  return { token, doc, ctx: { models: modelsIn(doc.roots), doc, recorded: recordedClientMessages(), maxMessageBytes: target.maxMessageBytes } };
}

/** Ways to break a connection that exist only on a real WebSocket. */
type SocketTwist = "none" | "bad-utf8" | "fragmented" | "ping" | "terminate";

function checkSocket(exp: Expectation, twist: SocketTwist, o: Observed): string | null {
  if (o.decodeError) return `server sent frames a client cannot decode: ${o.decodeError}`;
  if (o.messages[0]?.header.msgtype !== "ACK") return `first server message was ${o.messages[0]?.header.msgtype ?? "nothing"}, not ACK`;
  if (twist === "terminate") return null; // we cut the connection: only the server's survival matters
  const wantClose = twist === "bad-utf8" ? INVALID_PAYLOAD_CLOSE : exp.close;
  if (wantClose === null && o.closed) return `closed with ${o.closed.code} (${o.closed.reason}) but the frames were valid`;
  if (wantClose !== null && o.closed?.code !== wantClose) return `closed with ${o.closed?.code ?? "nothing"} (${o.closed?.reason ?? ""}), expected ${wantClose} (${exp.closeWhy ?? twist})`;
  // When `ws` itself closes (oversize frame, bad UTF-8) replies still queued are lost: those may be a prefix.
  const strict = wantClose === null;
  if (strict ? o.replies.length !== exp.replies.length : o.replies.length > exp.replies.length) {
    return `${o.replies.length} replies to ${exp.replies.length} requests`;
  }
  for (let i = 0; i < o.replies.length; i++) {
    const want = exp.replies[i];
    if (o.replies[i].header.reqid !== want.msgid) return `reply ${i} answers ${o.replies[i].header.reqid}, expected ${want.msgid}`;
    if (!ALLOWED_REPLIES[want.msgtype].includes(o.replies[i].header.msgtype)) return `${want.msgtype} answered with ${o.replies[i].header.msgtype}`;
  }
  return null;
}

/**
 * Runs `count` generated cases over real WebSockets through the gateway, `concurrency` at a time, spread over a
 * few sessions; a tenth also get a twist only a real socket allows (invalid UTF-8 in a text frame, a fragmented
 * frame, a ping, an abrupt disconnect mid-message).
 */
export async function fuzzOverSockets(target: FuzzTarget, opts: { seed: number; count: number; concurrency?: number; sessions?: number; caseTimeoutMs?: number }): Promise<FuzzReport> {
  const started = Date.now();
  const report: FuzzReport = { cases: 0, byKind: {}, endings: {}, replies: {}, callbackErrors: 0, failures: [], known: 0, elapsedMs: 0 };
  const sessions: Array<Awaited<ReturnType<typeof openFuzzSession>>> = [];
  for (let i = 0; i < (opts.sessions ?? 4); i++) sessions.push(await openFuzzSession(target));
  let next = 0;
  const runCase = async (index: number) => {
    const rng = Prng.forCase(opts.seed ^ 0x50c4e7, index);
    const session = sessions[index % sessions.length];
    const c = generateCase(rng, opts.seed, index, session.ctx);
    const twist: SocketTwist = rng.chance(0.9) ? "none" : rng.pick(["bad-utf8", "fragmented", "ping", "terminate"] as const);
    const cut = twist === "bad-utf8" || twist === "terminate" ? rng.int(c.frames.length + 1) : c.frames.length;
    const frames: Frame[] = c.frames.slice(0, cut);
    const exp = expectationFor(frames, target.maxMessageBytes);
    const fail = (problem: string) => report.failures.push({ seed: opts.seed, index, kind: c.kind, problem: `[socket${twist === "none" ? "" : `, ${twist}`}] ${problem}`, frames: previewFrames(c.frames) } satisfies FuzzFailure);
    let o: Observed;
    try {
      o = await connect(target, session.token);
    } catch (err) {
      fail(`could not connect: ${(err as Error).message}`);
      return;
    }
    for (const [i, f] of frames.entries()) {
      if (o.ws.readyState !== WebSocket.OPEN) break;
      if (twist === "fragmented" && typeof f === "string" && f.length > 2 && i === 0) {
        o.ws.send(f.slice(0, 1), { fin: false });
        o.ws.send(f.slice(1), { fin: true });
      } else o.ws.send(f, { binary: typeof f !== "string" });
      if (twist === "ping" && i === 0) o.ws.ping();
    }
    if (twist === "bad-utf8" && o.ws.readyState === WebSocket.OPEN) o.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    if (twist === "terminate") {
      o.ws.terminate();
      return;
    }
    const wantClose = twist === "bad-utf8" || exp.close !== null;
    try {
      await o.until(() => o.closed !== null || o.decodeError !== null || (!wantClose && o.replies.length >= exp.replies.length), opts.caseTimeoutMs ?? 10_000);
    } catch (err) {
      fail(`${(err as Error).message} (expected ${wantClose ? "a close" : `${exp.replies.length} replies`}, got ${o.replies.length} replies)`);
    }
    report.byKind[c.kind] = (report.byKind[c.kind] ?? 0) + 1;
    const ending = o.closed ? String(o.closed.code) : "open";
    report.endings[ending] = (report.endings[ending] ?? 0) + 1;
    for (const r of o.replies) report.replies[r.header.msgtype] = (report.replies[r.header.msgtype] ?? 0) + 1;
    const problem = checkSocket(exp, twist, o);
    if (problem && isKnownIssue(problem)) report.known++;
    else if (problem) fail(problem);
    if (!o.closed) {
      o.ws.close(1000);
      await o.until(() => o.closed !== null, 10_000).catch(() => o.ws.terminate());
    }
  };
  const lane = async () => {
    while (next < opts.count) {
      const i = next++;
      await runCase(i);
      report.cases++;
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 8 }, lane));
  report.elapsedMs = Date.now() - started;
  return report;
}
