import type { EmptyContent } from "./client-messages.ts";
import { ProtocolError } from "./errors.ts";
import { isPlainObject, isWireDocJson, isWireEventList, type WireDocJson, type WireEvent } from "./json-shape.ts";
import { createMessage, type Message, type MessageBuffer, type MsgType, type TypedMessage } from "./message.ts";

/** SERVER-INFO-REPLY's `version_info`: the Bokeh version the server speaks, and the server's own version. */
export interface VersionInfo {
  bokeh: string;
  server: string;
}

/** ERROR content. `traceback` is null unless the server chooses to reveal one (dev mode only). */
export interface ErrorContent {
  text: string;
  traceback: string | null;
}

/** The ACK a server sends first on every new connection; clients close on anything else. */
export function ack(): Message<EmptyContent> {
  return createMessage("ACK", {});
}

/** The OK that answers a client PATCH-DOC or PUSH-DOC. */
export function ok(reqid: string): Message<EmptyContent> {
  return createMessage("OK", {}, { reqid });
}

/** An ERROR, answering the request `reqid` (BokehJS rejects that request's promise) or, without one, nothing. */
export function error(reqid: string | undefined, text: string, traceback: string | null = null): Message<ErrorContent> {
  return createMessage("ERROR", { text, traceback }, { reqid });
}

/** The answer to SERVER-INFO-REQ. */
export function serverInfoReply(reqid: string, versionInfo: VersionInfo): Message<{ version_info: VersionInfo }> {
  return createMessage("SERVER-INFO-REPLY", { version_info: { bokeh: versionInfo.bokeh, server: versionInfo.server } }, { reqid });
}

/** The answer to PULL-DOC-REQ: the whole document, plus the buffers its JSON refers to. */
export function pullDocReply<D = unknown>(reqid: string, doc: D, buffers: MessageBuffer[] = []): Message<{ doc: D }> {
  return createMessage("PULL-DOC-REPLY", { doc }, { reqid, buffers });
}

/** A server PATCH-DOC pushing document changes, plus the buffers its events refer to. */
export function patchDoc(content: { events: unknown[] }, buffers: MessageBuffer[] = []): Message<{ events: unknown[] }> {
  return createMessage("PATCH-DOC", { events: content.events }, { buffers });
}

/** A parsed reply: like {@link TypedMessage}, with `header.reqid` guaranteed. */
type Reply<T extends MsgType, C> = TypedMessage<T, C> & { header: { reqid: string } };

/** Parsed ACK. */
export type Ack = TypedMessage<"ACK", EmptyContent>;
/** Parsed OK, answering `header.reqid`. */
export type Ok = Reply<"OK", EmptyContent>;
/** Parsed ERROR; `header.reqid` is absent when it answers no particular request. */
export type ErrorReply = TypedMessage<"ERROR", ErrorContent>;
/** Parsed SERVER-INFO-REPLY. */
export type ServerInfoReply = Reply<"SERVER-INFO-REPLY", { version_info: VersionInfo }>;
/** Parsed PULL-DOC-REPLY. */
export type PullDocReply = Reply<"PULL-DOC-REPLY", { doc: WireDocJson }>;
/** Parsed server PATCH-DOC. */
export type PatchDocFromServer = TypedMessage<"PATCH-DOC", { events: WireEvent[] }>;

/**
 * Every message a server may send, tagged by `msgtype` (switch on `msg.msgtype` to narrow `msg.content`); what
 * Node test clients and the plothost client library get from {@link parseServerMessage}.
 */
export type ServerMessage = Ack | Ok | ErrorReply | ServerInfoReply | PullDocReply | PatchDocFromServer;

/**
 * Checks that a received message is something a server may send, with the content and `reqid` its msgtype
 * requires, and returns it typed (same header, metadata, content and buffers objects, except that an ERROR
 * without `traceback` gets a copy of its content with `traceback: null`). Like BokehJS, it looks at documents
 * and events only in outline.
 * @throws ProtocolError `unexpected_msgtype` for client-only types, `bad_content` for a wrong content or a missing reqid.
 */
export function parseServerMessage(msg: Message): ServerMessage {
  const { header, content } = msg;
  if (!isPlainObject(content)) throw new ProtocolError("bad_content", `${header.msgtype} content is not a JSON object`);
  const needsReqid = header.msgtype === "OK" || header.msgtype === "SERVER-INFO-REPLY" || header.msgtype === "PULL-DOC-REPLY";
  if (needsReqid && header.reqid === undefined) throw new ProtocolError("bad_content", `${header.msgtype} has no reqid`);
  switch (header.msgtype) {
    case "ACK":
    case "OK":
      break;
    case "ERROR": {
      const { text, traceback } = content;
      if (typeof text !== "string" || !(traceback == null || typeof traceback === "string")) {
        throw new ProtocolError("bad_content", "ERROR content needs a string text and a string or null traceback");
      }
      return { ...msg, msgtype: "ERROR", content: { ...content, text, traceback: traceback ?? null } } as ErrorReply;
    }
    case "SERVER-INFO-REPLY": {
      const info = content.version_info;
      if (!isPlainObject(info) || typeof info.bokeh !== "string" || typeof info.server !== "string") {
        throw new ProtocolError("bad_content", "SERVER-INFO-REPLY content needs version_info {bokeh, server}");
      }
      break;
    }
    case "PULL-DOC-REPLY":
      if (!isWireDocJson(content.doc)) throw new ProtocolError("bad_content", "PULL-DOC-REPLY content needs a doc with a roots array");
      break;
    case "PATCH-DOC":
      if (!isWireEventList(content.events)) {
        throw new ProtocolError("bad_content", "PATCH-DOC content needs an events array of objects with a string kind");
      }
      break;
    default:
      throw new ProtocolError("unexpected_msgtype", `a server may not send ${header.msgtype}`);
  }
  return { ...msg, msgtype: header.msgtype } as ServerMessage;
}
