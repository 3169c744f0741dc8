import type { Header, Message } from "./message.ts";

/**
 * Encodes a message as the WebSocket frames to send, in order: header, metadata and content as compact JSON
 * text, then for each buffer a text frame `{"id":"<id>"}` and a binary frame with its bytes. Strings are to be
 * sent as text frames, `Uint8Array`s as binary frames, and all frames of one message back to back (do not
 * interleave two messages on one socket).
 *
 * The header's `num_buffers` is written from `msg.buffers` (and left out when there are none), whatever the
 * header object says. Binary data is not copied.
 *
 * @throws TypeError when `metadata` or `content` cannot be written as JSON (e.g. `undefined` or a BigInt).
 */
export function encodeMessage(msg: Message): Array<string | Uint8Array> {
  const header: Header = { msgid: msg.header.msgid, msgtype: msg.header.msgtype };
  if (msg.header.reqid !== undefined) header.reqid = msg.header.reqid;
  if (msg.buffers.length > 0) header.num_buffers = msg.buffers.length;

  const frames: Array<string | Uint8Array> = [JSON.stringify(header), toJson(msg.metadata, "metadata"), toJson(msg.content, "content")];
  for (const buffer of msg.buffers) {
    frames.push(JSON.stringify({ id: buffer.id }), buffer.data);
  }
  return frames;
}

function toJson(value: unknown, what: string): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`message ${what} is not JSON-serialisable`);
  return json;
}
