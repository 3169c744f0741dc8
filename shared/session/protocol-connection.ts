import { BOKEH_VERSION, DocumentError, type Serialized } from "../index.ts";
import {
  Receiver, encodeMessage, parseClientMessage, ack, ok, error as errorMessage, serverInfoReply, pullDocReply, patchDoc,
  ProtocolError, closeFrameFor, INTERNAL_ERROR_CLOSE, type Message, type MessageBuffer,
} from "../protocol/index.ts";
import type { ServerSession, SessionSubscriber } from "./server-session.ts";

/**
 * The minimal socket the protocol needs. The worker adapts a `ws` WebSocket to it; tests can pass anything.
 * Deliberately no `on(...)`: the owner feeds frames in with `handleFrame` and reports the close with `closed`.
 */
export interface FrameSocket {
  send(frame: string | Uint8Array): void;
  close(code: number, reason: string): void;
}

/**
 * Something the connection handled that its owner may want to log (library code in `shared/` does not log):
 * a protocol error that closed the connection, or an unexpected error while handling a message.
 */
export interface ConnectionProblem {
  level: "warn" | "error";
  message: string;
  err: unknown;
}

/** Close code used when a session cannot be made for a socket (an internal error, not the client's fault). */
export const CLOSE_SESSION_FAILED = INTERNAL_ERROR_CLOSE;

const toBufferMap = (buffers: readonly MessageBuffer[]): Map<string, Uint8Array> => new Map(buffers.map((b) => [b.id, b.data]));

/**
 * One client connection speaking the Bokeh server protocol to one session: sends ACK, answers PULL-DOC-REQ,
 * SERVER-INFO-REQ, PUSH-DOC and PATCH-DOC (each with OK or ERROR, as Python's server does), and forwards the
 * session's changes as PATCH-DOC once the client has pulled.
 */
export class ProtocolConnection implements SessionSubscriber {
  pulled = false;
  private readonly receiver: Receiver;
  private closed = false;
  /** A frame broke the protocol: the close is queued behind the messages before it. */
  private failing = false;
  private work: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: FrameSocket,
    private readonly session: ServerSession,
    private readonly opts: { maxMessageBytes: number; binaryThresholdBytes: number; onProblem?: (p: ConnectionProblem) => void },
  ) {
    this.receiver = new Receiver({ maxMessageBytes: opts.maxMessageBytes });
    session.subscribe(this);
    this.send(ack());
  }

  /**
   * Feeds one WebSocket frame in. Messages are handled one after another, in order. A frame that breaks the
   * protocol closes the connection only after every complete message before it has been answered (so no change
   * a client sent is applied without its OK); frames after it are ignored, and so are messages still queued
   * once the connection has closed.
   */
  handleFrame(frame: string | Uint8Array): void {
    if (this.closed || this.failing) return;
    let msg: Message | null;
    try {
      msg = this.receiver.consume(frame);
    } catch (err) {
      this.failing = true;
      this.work = this.work.then(() => this.fail(err));
      return;
    }
    if (msg) {
      const m = msg;
      this.work = this.work.then(() => (this.closed ? undefined : this.handleMessage(m))).catch((err) => this.fail(err));
    }
  }

  /** The socket closed: stop sending and detach from the session. */
  handleClose(): void {
    this.closed = true;
    this.session.unsubscribe(this);
  }

  sendPatch(patch: Serialized<{ events: unknown[] }>): void {
    this.send(patchDoc(patch.json, patch.buffers));
  }

  private async handleMessage(raw: Message): Promise<void> {
    const reqid = raw.header.msgid;
    // A message a client may not send (or a malformed one) is a protocol error: the connection closes.
    const msg = parseClientMessage(raw);
    switch (msg.msgtype) {
      case "PULL-DOC-REQ": {
        const reply = await this.session.withDocument((doc) => {
          const s = doc.to_json_with_buffers({ threshold: this.opts.binaryThresholdBytes });
          this.pulled = true;
          return pullDocReply(reqid, s.json, s.buffers);
        });
        this.send(reply);
        return;
      }
      case "SERVER-INFO-REQ":
        this.send(serverInfoReply(reqid, { bokeh: BOKEH_VERSION, server: BOKEH_VERSION }));
        return;
      case "PUSH-DOC": {
        try {
          await this.session.lock.run(() =>
            this.session.replaceFromClient(msg.content.doc as Parameters<ServerSession["replaceFromClient"]>[0], toBufferMap(msg.buffers)));
          this.send(ok(reqid));
        } catch (err) {
          this.replyError(reqid, err);
        }
        return;
      }
      case "PATCH-DOC": {
        try {
          await this.session.withDocument(() => this.session.applyClientPatch(msg.content, toBufferMap(msg.buffers), this));
          this.send(ok(reqid));
        } catch (err) {
          this.replyError(reqid, err);
        }
        return;
      }
    }
  }

  private replyError(reqid: string, err: unknown): void {
    if (!(err instanceof DocumentError) && !isClientError(err)) this.opts.onProblem?.({ level: "error", err, message: "error handling client message" });
    this.send(errorMessage(reqid, (err as Error).message ?? String(err), null));
  }

  private send(msg: Message): void {
    if (this.closed) return;
    for (const frame of encodeMessage(msg)) this.socket.send(frame);
  }

  private fail(err: unknown): void {
    if (this.closed) return;
    const protocol = err instanceof ProtocolError;
    this.opts.onProblem?.({ level: protocol ? "warn" : "error", err, message: protocol ? "protocol error; closing connection" : "internal error; closing connection" });
    const { code, reason } = closeFrameFor(err);
    this.socket.close(code, reason);
    this.handleClose();
  }
}

/** Errors that carry an HTTP status below 500 are the client's (refused, too large, conflict): not worth a log line. */
function isClientError(err: unknown): boolean {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === "number" && status < 500;
}
