import { ProtocolError, Receiver, parseClientMessage, type ClientMsgType } from "../../../shared/protocol/index.ts";

export type Frame = string | Uint8Array;

/** What a correct server does with a sequence of client frames. */
export interface Expectation {
  /** Every complete client message before any violation, in order: each must get exactly one reply. */
  replies: Array<{ msgid: string; msgtype: ClientMsgType }>;
  /** The close code the frames call for (a protocol violation), or null when the connection must stay open. */
  close: number | null;
  /** Why it must close (the ProtocolError code), for failure messages. */
  closeWhy?: string;
}

/** Reply msgtypes a server may answer each client msgtype with. */
export const ALLOWED_REPLIES: Record<ClientMsgType, readonly string[]> = {
  "PULL-DOC-REQ": ["PULL-DOC-REPLY", "ERROR"],
  "SERVER-INFO-REQ": ["SERVER-INFO-REPLY"],
  "PATCH-DOC": ["OK", "ERROR"],
  "PUSH-DOC": ["OK", "ERROR"],
};

/**
 * Works out the expected outcome of `frames` from the protocol's own rules: framing by a reference `Receiver` with
 * the server's size limit (unit-tested against real Bokeh traffic), then `parseClientMessage` for what a client may
 * send. Everything the document layer decides (OK vs ERROR) is left open.
 */
export function expectationFor(frames: readonly Frame[], maxMessageBytes: number): Expectation {
  const receiver = new Receiver({ maxMessageBytes });
  const replies: Expectation["replies"] = [];
  for (const frame of frames) {
    try {
      const msg = receiver.consume(frame);
      if (!msg) continue;
      const parsed = parseClientMessage(msg);
      replies.push({ msgid: parsed.header.msgid, msgtype: parsed.msgtype });
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      return { replies, close: err.closeCode, closeWhy: err.code };
    }
  }
  return { replies, close: null };
}
