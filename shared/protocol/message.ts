import { randomUUID } from "node:crypto";

/** Every msgtype of the Bokeh server protocol, as written on the wire. */
export const MSG_TYPES = [
  "ACK",
  "OK",
  "ERROR",
  "SERVER-INFO-REQ",
  "SERVER-INFO-REPLY",
  "PULL-DOC-REQ",
  "PULL-DOC-REPLY",
  "PUSH-DOC",
  "PATCH-DOC",
] as const;

/** A Bokeh protocol message type (the header's `msgtype`). */
export type MsgType = (typeof MSG_TYPES)[number];

const MSG_TYPE_SET: ReadonlySet<string> = new Set(MSG_TYPES);

/** Whether `value` is one of the protocol's {@link MsgType}s. */
export function isMsgType(value: unknown): value is MsgType {
  return typeof value === "string" && MSG_TYPE_SET.has(value);
}

/**
 * The first frame of every message. `reqid` names the `msgid` this message answers; `num_buffers` counts the
 * binary buffers that follow the content (absent or 0 when there are none). Other header keys a peer might send
 * are deliberately dropped by the receiver: Bokeh defines none.
 */
export interface Header {
  msgid: string;
  msgtype: MsgType;
  reqid?: string;
  num_buffers?: number;
}

/**
 * One binary buffer of a message. Content JSON refers to it as `{"id": <id>}` inside a `bytes` value; the wire
 * carries it as a text frame `{"id": ...}` followed by a binary frame with `data`.
 */
export interface MessageBuffer {
  id: string;
  data: Uint8Array;
}

/**
 * A decoded (or to-be-encoded) protocol message: the three JSON frames plus the buffers. `metadata` is free-form
 * and ignored by Bokeh itself; `content`'s shape depends on `header.msgtype` (see client-messages.ts and
 * server-messages.ts). When encoding, `header.num_buffers` is derived from `buffers`, never trusted.
 */
export interface Message<C = unknown> {
  header: Header;
  metadata: Record<string, unknown>;
  content: C;
  buffers: MessageBuffer[];
}

/**
 * A parsed message of one msgtype with its content typed. `msgtype` repeats `header.msgtype` at the top level
 * because TypeScript narrows a union only on top-level fields: `switch (msg.msgtype)` narrows `msg.content`,
 * `switch (msg.header.msgtype)` does not. The extra field is ignored by `encodeMessage`.
 */
export interface TypedMessage<T extends MsgType, C> extends Message<C> {
  msgtype: T;
  header: Header & { msgtype: T };
}

/**
 * A fresh message id: 32 upper-case hex digits, the shape BokehJS uses. Random (UUID v4), so unique within the
 * process and, in practice, across processes too.
 */
export function newMsgId(): string {
  return randomUUID().replaceAll("-", "").toUpperCase();
}

/** Builds a message with a fresh msgid; `reqid` is set only when given. Used by the message constructors. */
export function createMessage<C>(
  msgtype: MsgType,
  content: C,
  options: { reqid?: string; buffers?: MessageBuffer[]; metadata?: Record<string, unknown> } = {},
): Message<C> {
  const header: Header = { msgid: newMsgId(), msgtype };
  if (options.reqid !== undefined) header.reqid = options.reqid;
  const buffers = options.buffers ?? [];
  if (buffers.length > 0) header.num_buffers = buffers.length;
  return { header, metadata: options.metadata ?? {}, content, buffers };
}
