import { Buffer } from "node:buffer";
import { ProtocolError } from "./errors.ts";
import { isMsgType, type Header, type Message, type MessageBuffer } from "./message.ts";
import { isPlainObject } from "./json-shape.ts";

/** Limits a {@link Receiver} enforces on each message. */
export interface ReceiverLimits {
  /** Most binary buffers one message may declare in `num_buffers`. Default 1024. */
  maxBuffers?: number;
  /** Most bytes one message may span, all frames counted (text as UTF-8). Default 20 MiB. */
  maxMessageBytes?: number;
  /**
   * Deepest nesting of arrays and objects a JSON frame may have. Default 512: Bokeh documents need a few dozen
   * levels, while values nested ~2,000 deep make the document layer's recursive decoding and serializing overflow
   * the stack (and once stored, break every later PULL-DOC of the session). Python's json stops near 1,000.
   */
  maxJsonDepth?: number;
}

/** Default of {@link ReceiverLimits.maxBuffers}. */
export const DEFAULT_MAX_BUFFERS = 1024;
/** Default of {@link ReceiverLimits.maxMessageBytes}. */
export const DEFAULT_MAX_MESSAGE_BYTES = 20 * 1024 * 1024;
/** Default of {@link ReceiverLimits.maxJsonDepth}. */
export const DEFAULT_MAX_JSON_DEPTH = 512;

type State = "header" | "metadata" | "content" | "buffer_header" | "buffer_payload" | "failed";

/**
 * Assembles WebSocket frames into Bokeh protocol messages, one connection direction at a time.
 *
 * A strict state machine, like the ones in Bokeh and BokehJS: a text header, a text metadata frame, a text
 * content frame, then `num_buffers` pairs of a text buffer header `{"id": ...}` and a binary payload. Anything
 * else throws a {@link ProtocolError} with a stable code: `bad_frame_type`, `bad_json`, `bad_header`,
 * `unknown_msgtype`, `bad_metadata`, `bad_buffer_header`, `too_many_buffers`, `message_too_large`, `json_too_deep`.
 *
 * Unlike Python's receiver it does not try to resynchronise after an error: once `consume` has thrown, the
 * receiver is failed for good and every later call throws `receiver_failed`. The caller is expected to close the
 * connection (with `err.closeCode`). It validates framing and the header only; the content's shape is checked by
 * `parseClientMessage` / `parseServerMessage`. Binary payloads are kept as given, not copied.
 */
export class Receiver {
  private readonly maxBuffers: number;
  private readonly maxMessageBytes: number;
  private readonly maxJsonDepth: number;
  private state: State = "header";
  private bytes = 0;
  private header: Header | null = null;
  private metadata: Record<string, unknown> = {};
  private content: unknown = null;
  private buffers: MessageBuffer[] = [];
  private bufferId = "";

  constructor(limits: ReceiverLimits = {}) {
    this.maxBuffers = limits.maxBuffers ?? DEFAULT_MAX_BUFFERS;
    this.maxMessageBytes = limits.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.maxJsonDepth = limits.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH;
  }

  /**
   * Feeds one frame (a string for a text frame, bytes for a binary one). Returns the message that this frame
   * completes, or null while a message is still incomplete.
   * @throws ProtocolError on any violation; the receiver is unusable afterwards.
   */
  consume(frame: string | Uint8Array): Message | null {
    if (this.state === "failed") throw new ProtocolError("receiver_failed");
    try {
      return this.step(frame);
    } catch (err) {
      this.state = "failed";
      throw err;
    }
  }

  private step(frame: string | Uint8Array): Message | null {
    if (this.state === "header") this.reset();
    this.count(frame);
    switch (this.state) {
      case "header":
        this.header = this.parseHeader(this.text(frame, "header"));
        this.state = "metadata";
        return null;
      case "metadata": {
        const metadata = parseJson(this.text(frame, "metadata"), "metadata", this.maxJsonDepth);
        if (!isPlainObject(metadata)) throw new ProtocolError("bad_metadata", "metadata is not a JSON object");
        this.metadata = metadata;
        this.state = "content";
        return null;
      }
      case "content":
        this.content = parseJson(this.text(frame, "content"), "content", this.maxJsonDepth);
        return this.completeOrWait();
      case "buffer_header":
        this.bufferId = this.parseBufferHeader(this.text(frame, "buffer header"));
        this.state = "buffer_payload";
        return null;
      case "buffer_payload":
        this.buffers.push({ id: this.bufferId, data: this.binary(frame) });
        return this.completeOrWait();
      default:
        throw new ProtocolError("receiver_failed");
    }
  }

  private reset(): void {
    this.bytes = 0;
    this.header = null;
    this.metadata = {};
    this.content = null;
    this.buffers = [];
    this.bufferId = "";
  }

  private count(frame: string | Uint8Array): void {
    this.bytes += typeof frame === "string" ? Buffer.byteLength(frame, "utf8") : frame instanceof Uint8Array ? frame.byteLength : 0;
    if (this.bytes > this.maxMessageBytes) {
      throw new ProtocolError("message_too_large", `message exceeds ${this.maxMessageBytes} bytes`);
    }
  }

  private completeOrWait(): Message | null {
    const header = this.header as Header;
    if (this.buffers.length < (header.num_buffers ?? 0)) {
      this.state = "buffer_header";
      return null;
    }
    this.state = "header";
    return { header, metadata: this.metadata, content: this.content, buffers: this.buffers };
  }

  private parseHeader(json: string): Header {
    const raw = parseJson(json, "header", this.maxJsonDepth);
    if (!isPlainObject(raw)) throw new ProtocolError("bad_header", "header is not a JSON object");
    const { msgid, msgtype, reqid, num_buffers: numBuffers } = raw;
    if (typeof msgid !== "string" || msgid === "") throw new ProtocolError("bad_header", "header has no msgid");
    if (typeof msgtype !== "string") throw new ProtocolError("bad_header", "header has no msgtype");
    if (!isMsgType(msgtype)) throw new ProtocolError("unknown_msgtype", `unknown msgtype ${JSON.stringify(msgtype).slice(0, 40)}`);
    const header: Header = { msgid, msgtype };
    if (reqid !== undefined) {
      if (typeof reqid !== "string") throw new ProtocolError("bad_header", "header reqid is not a string");
      header.reqid = reqid;
    }
    if (numBuffers !== undefined) {
      if (typeof numBuffers !== "number" || !Number.isSafeInteger(numBuffers) || numBuffers < 0) {
        throw new ProtocolError("bad_header", "header num_buffers is not a non-negative integer");
      }
      if (numBuffers > this.maxBuffers) {
        throw new ProtocolError("too_many_buffers", `message declares ${numBuffers} buffers, the limit is ${this.maxBuffers}`);
      }
      header.num_buffers = numBuffers;
    }
    return header;
  }

  private parseBufferHeader(json: string): string {
    const raw = parseJson(json, "buffer header", this.maxJsonDepth);
    if (!isPlainObject(raw) || typeof raw.id !== "string" || Object.keys(raw).length !== 1) {
      throw new ProtocolError("bad_buffer_header", "buffer header is not {\"id\": <string>}");
    }
    if (this.buffers.some((buffer) => buffer.id === raw.id)) {
      throw new ProtocolError("bad_buffer_header", "duplicate buffer id in one message");
    }
    return raw.id;
  }

  private text(frame: string | Uint8Array, what: string): string {
    if (typeof frame !== "string") throw new ProtocolError("bad_frame_type", `expected a text frame (${what}), got binary`);
    return frame;
  }

  private binary(frame: string | Uint8Array): Uint8Array {
    if (!(frame instanceof Uint8Array)) throw new ProtocolError("bad_frame_type", "expected a binary frame (buffer payload), got text");
    return frame;
  }
}

function parseJson(json: string, what: string, maxDepth: number): unknown {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new ProtocolError("bad_json", `${what} frame is not valid JSON`, { cause: err });
  }
  if (nestsDeeperThan(json, maxDepth)) throw new ProtocolError("json_too_deep", `${what} frame nests deeper than ${maxDepth} levels`);
  return value;
}

/**
 * Whether valid JSON text nests arrays/objects more than `max` levels deep: one pass, no recursion (so any depth
 * is safe to measure), jumping with native regex search from one bracket or string to the next. Text shorter
 * than 2·max+2 characters cannot nest that deep and is not scanned.
 */
function nestsDeeperThan(json: string, max: number): boolean {
  if (json.length < 2 * max + 2) return false;
  const structural = /[[\]{}"]/g;
  const stringEnd = /["\\]/g;
  let depth = 0;
  for (let m = structural.exec(json); m !== null; m = structural.exec(json)) {
    const c = m[0];
    if (c === '"') {
      // Skip the string: find its closing quote, stepping over escapes.
      stringEnd.lastIndex = structural.lastIndex;
      let e = stringEnd.exec(json);
      while (e !== null && e[0] === "\\") {
        stringEnd.lastIndex += 1;
        e = stringEnd.exec(json);
      }
      if (e === null) return false; // unterminated string: not valid JSON, so not reached after JSON.parse
      structural.lastIndex = stringEnd.lastIndex;
    } else if (c === "[" || c === "{") {
      if (++depth > max) return true;
    } else depth--;
  }
  return false;
}
