import { Document } from "../../../shared/index.ts";
import { Receiver, parseServerMessage, MAX_CLOSE_REASON_BYTES, type Message } from "../../../shared/protocol/index.ts";
import { ProtocolConnection, ServerSession, type ConnectionProblem, type FrameSocket } from "../../../shared/session/index.ts";
import { modelsIn, previewFrames, recordedClientMessages } from "./context.ts";
import { isKnownIssue } from "./known-issues.ts";
import { generateCase, type CaseKind, type FuzzCase, type FuzzContext } from "./generator.ts";
import { ALLOWED_REPLIES, expectationFor, type Expectation, type Frame } from "./oracle.ts";
import { Prng } from "./prng.ts";

/** An app as the fuzzer runs it: fills a fresh document. */
export type FuzzApp = (doc: Document) => void | Promise<void>;

export interface FuzzFailure {
  seed: number;
  index: number;
  kind: CaseKind | "session";
  problem: string;
  frames: string;
}

export interface FuzzReport {
  cases: number;
  byKind: Record<string, number>;
  /** How connections ended: "open" or the close code. */
  endings: Record<string, number>;
  /** Replies seen, by msgtype. */
  replies: Record<string, number>;
  /** App callback errors caused by client input (reported to the app's error handler, not failures). */
  callbackErrors: number;
  failures: FuzzFailure[];
  /** Failures that match a known issue in code this suite does not own (known-issues.ts): counted, not listed. */
  known: number;
  elapsedMs: number;
}

/** A FrameSocket that decodes everything the server sends, as a client would, and notes the close. */
class FakeSocket implements FrameSocket {
  readonly messages: Message[] = [];
  readonly replies: Message[] = [];
  close: FrameSocket["close"];
  closed: { code: number; reason: string } | null = null;
  decodeError: string | null = null;
  sentAfterClose = 0;
  private readonly receiver = new Receiver({ maxMessageBytes: 1 << 30 });
  private wake: (() => void) | null = null;

  constructor() {
    this.close = (code, reason) => {
      if (this.closed) this.sentAfterClose++;
      this.closed = { code, reason };
      this.wake?.();
    };
  }

  send(frame: Frame): void {
    if (this.closed) this.sentAfterClose++;
    try {
      const raw = this.receiver.consume(frame);
      if (!raw) return;
      const msg = parseServerMessage(raw);
      this.messages.push(msg);
      if (msg.header.reqid !== undefined) this.replies.push(msg);
    } catch (err) {
      this.decodeError ??= (err as Error).message;
    }
    this.wake?.();
  }

  /**
   * Resolves once the server did what `exp` calls for: closed (when it must close), or answered every request;
   * also on a close or an undecodable frame it should not have sent. (A server that does neither hangs the case:
   * the batch timeout reports it.)
   */
  settled(exp: Expectation): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        const done = exp.close !== null ? this.closed !== null : this.replies.length >= exp.replies.length || this.closed !== null;
        if (done || this.decodeError) {
          this.wake = null;
          resolve();
        }
      };
      this.wake = check;
      check();
    });
  }
}

/** Compares what the server did with what it had to do; returns the first problem, or null. */
export function verify(exp: Expectation, socket: { messages: Message[]; replies: Message[]; closed: { code: number; reason: string } | null; decodeError: string | null; sentAfterClose: number }, problems: ConnectionProblem[]): string | null {
  if (socket.decodeError) return `server sent frames a client cannot decode: ${socket.decodeError}`;
  if (socket.messages[0]?.header.msgtype !== "ACK") return `first server message was ${socket.messages[0]?.header.msgtype ?? "nothing"}, not ACK`;
  const unexpected = problems.find((p) => p.level === "error");
  if (unexpected) return `unexpected server error (${unexpected.message}): ${(unexpected.err as Error)?.stack ?? String(unexpected.err)}`;
  if (socket.sentAfterClose > 0) return `server sent ${socket.sentAfterClose} frames after closing`;
  if (socket.closed && Buffer.byteLength(socket.closed.reason) > MAX_CLOSE_REASON_BYTES) return "close reason longer than 123 bytes";
  if (exp.close === null && socket.closed) return `closed with ${socket.closed.code} (${socket.closed.reason}) but the frames were valid`;
  if (exp.close !== null && !socket.closed) return `still open, but the frames call for close ${exp.close} (${exp.closeWhy})`;
  if (exp.close !== null && socket.closed && socket.closed.code !== exp.close) {
    return `closed with ${socket.closed.code} (${socket.closed.reason}), expected ${exp.close} (${exp.closeWhy})`;
  }
  if (socket.replies.length !== exp.replies.length) {
    return `${socket.replies.length} replies to ${exp.replies.length} requests (${exp.replies.map((r) => r.msgtype).join(", ")})`;
  }
  for (let i = 0; i < exp.replies.length; i++) {
    const want = exp.replies[i];
    const got = socket.replies[i];
    if (got.header.reqid !== want.msgid) return `reply ${i} answers ${got.header.reqid}, expected ${want.msgid}`;
    if (!ALLOWED_REPLIES[want.msgtype].includes(got.header.msgtype)) return `${want.msgtype} answered with ${got.header.msgtype}`;
  }
  return null;
}

/** Builds a session of `app`, like the worker's registry does. */
async function makeSession(app: FuzzApp, id: string, onCallbackError: () => void): Promise<ServerSession> {
  const session = new ServerSession(id, new Document(), { binaryThresholdBytes: 64, onCallbackError });
  await session.withDocument((doc) => app(doc));
  return session;
}

/** Pulls the session's document through a fresh connection; returns the problem, or null. */
async function checkPull(session: ServerSession, maxMessageBytes: number): Promise<string | null> {
  const socket = new FakeSocket();
  const problems: ConnectionProblem[] = [];
  const conn = new ProtocolConnection(socket, session, { maxMessageBytes, binaryThresholdBytes: 64, onProblem: (p) => problems.push(p) });
  const frames: Frame[] = ['{"msgid":"check-pull","msgtype":"PULL-DOC-REQ"}', "{}", "{}"];
  for (const f of frames) conn.handleFrame(f);
  await socket.settled(expectationFor(frames, maxMessageBytes));
  conn.handleClose();
  const problem = verify(expectationFor(frames, maxMessageBytes), socket, problems);
  if (problem) return problem;
  return socket.replies[0].header.msgtype === "PULL-DOC-REPLY" ? null : `PULL-DOC-REQ answered ${socket.replies[0].header.msgtype}: ${JSON.stringify(socket.replies[0].content).slice(0, 300)}`;
}

/**
 * Runs `count` generated cases against real `ProtocolConnection`s on real sessions of `app`, `concurrency` at a
 * time (so several connections work on one session at once), with fake sockets: no network, fast. Each session
 * serves `casesPerSession` cases and must then still pull its document before it is replaced.
 */
export async function fuzzInProcess(opts: {
  app: FuzzApp; seed: number; count: number; maxMessageBytes: number; concurrency?: number; sessions?: number;
  /** The first case index (default 0): runs cases from..from+count-1 of the seed, so runs can split one range. */
  from?: number;
  casesPerSession?: number; batchTimeoutMs?: number; maxFailures?: number; onProgress?: (done: number) => void;
}): Promise<FuzzReport> {
  const started = Date.now();
  const concurrency = opts.concurrency ?? 32;
  const casesPerSession = opts.casesPerSession ?? 2000;
  const maxFailures = opts.maxFailures ?? 20;
  const report: FuzzReport = { cases: 0, byKind: {}, endings: {}, replies: {}, callbackErrors: 0, failures: [], known: 0, elapsedMs: 0 };
  const onCallbackError = () => void report.callbackErrors++;
  let serial = 0;
  const recorded = recordedClientMessages();
  // Each session's models have their own ids, so each gets its own generator context.
  const fresh = async () => {
    const session = await makeSession(opts.app, `fuzz-${serial++}`, onCallbackError);
    const doc = session.document.to_json() as unknown as Record<string, unknown>;
    const ctx: FuzzContext = { models: modelsIn(doc.roots), doc, recorded, maxMessageBytes: opts.maxMessageBytes };
    return { session, ctx, used: 0 };
  };
  const pool: Array<Awaited<ReturnType<typeof fresh>>> = [];
  for (let i = 0; i < (opts.sessions ?? 4); i++) pool.push(await fresh());

  const retire = async (slot: { session: ServerSession; used: number }, index: number) => {
    const problem = await checkPull(slot.session, opts.maxMessageBytes);
    if (problem) report.failures.push({ seed: opts.seed, index, kind: "session", problem: `session no longer pulls after fuzzing: ${problem}`, frames: "" });
    await slot.session.destroy();
  };

  const runOne = async (c: FuzzCase, session: ServerSession): Promise<void> => {
    const socket = new FakeSocket();
    const problems: ConnectionProblem[] = [];
    const conn = new ProtocolConnection(socket, session, { maxMessageBytes: opts.maxMessageBytes, binaryThresholdBytes: 64, onProblem: (p) => problems.push(p) });
    const exp = expectationFor(c.frames, opts.maxMessageBytes);
    for (const f of c.frames) conn.handleFrame(f);
    await socket.settled(exp);
    conn.handleClose();
    report.byKind[c.kind] = (report.byKind[c.kind] ?? 0) + 1;
    const ending = socket.closed ? String(socket.closed.code) : "open";
    report.endings[ending] = (report.endings[ending] ?? 0) + 1;
    for (const r of socket.replies) report.replies[r.header.msgtype] = (report.replies[r.header.msgtype] ?? 0) + 1;
    const problem = verify(exp, socket, problems);
    if (problem && isKnownIssue(problem)) report.known++;
    else if (problem) report.failures.push({ seed: opts.seed, index: c.index, kind: c.kind, problem, frames: previewFrames(c.frames) });
  };

  try {
  const from = opts.from ?? 0;
  const end = from + opts.count;
  for (let start = from; start < end && report.failures.length < maxFailures; start += concurrency) {
    const batch: Array<{ c: FuzzCase; slot: (typeof pool)[number] }> = [];
    for (let i = start; i < Math.min(end, start + concurrency); i++) {
      const slot = pool[i % pool.length];
      slot.used++;
      batch.push({ c: generateCase(Prng.forCase(opts.seed, i), opts.seed, i, slot.ctx), slot });
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`fuzz cases ${start}..${start + batch.length - 1} (seed ${opts.seed}) did not finish within ${opts.batchTimeoutMs ?? 10_000} ms`)), opts.batchTimeoutMs ?? 10_000);
    });
    try {
      await Promise.race([Promise.all(batch.map(({ c, slot }) => runOne(c, slot.session))), timeout]);
    } finally {
      clearTimeout(timer);
    }
    report.cases += batch.length;
    // Localise damage: a session that stops serializing was broken by one of this batch's cases on it.
    for (const slot of pool) {
      try {
        slot.session.document.to_json_with_buffers({ threshold: 64 });
      } catch (err) {
        const culprits = batch.filter((b) => b.slot === slot).map((b) => `case ${b.c.index} (${b.c.kind}): ${previewFrames(b.c.frames, 1500)}`);
        report.failures.push({ seed: opts.seed, index: start, kind: "session", problem: `a session stopped serializing (${(err as Error).message}) after one of:\n${culprits.join("\n")}`, frames: "" });
        await slot.session.destroy();
        Object.assign(slot, await fresh());
      }
    }
    for (let s = 0; s < pool.length; s++) {
      if (pool[s].used >= casesPerSession) {
        await retire(pool[s], start);
        pool[s] = await fresh();
      }
    }
    opts.onProgress?.(report.cases);
    await new Promise((resolve) => setImmediate(resolve)); // let timers (periodic callbacks) and I/O run
  }
  for (const slot of pool) await retire(slot, end);
  } finally {
    // Never leave a session's timers running, whatever happened.
    await Promise.all(pool.map((slot) => slot.session.destroy()));
  }
  report.elapsedMs = Date.now() - started;
  return report;
}
