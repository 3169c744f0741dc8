import { ProtocolError } from "./errors.ts";
import { isPlainObject, isWireDocJson, isWireEventList, type WireDocJson, type WireEvent } from "./json-shape.ts";
import { createMessage, type Message, type MessageBuffer, type TypedMessage } from "./message.ts";

/** A request without parameters: content `{}` (any keys in it are ignored, as Bokeh does). */
export type RequestContent = Record<string, unknown>;

/** Asks for the session's document; answered with PULL-DOC-REPLY (or ERROR). */
export type PullDocReq = TypedMessage<"PULL-DOC-REQ", RequestContent>;

/** Asks for version information; answered with SERVER-INFO-REPLY. */
export type ServerInfoReq = TypedMessage<"SERVER-INFO-REQ", RequestContent>;

/** Replaces the session's document (sent by Python `bokeh.client` push sessions, never by BokehJS); answered with OK. */
export type PushDoc = TypedMessage<"PUSH-DOC", { doc: WireDocJson }>;

/** Changes made in the client (property changes, UI events as `MessageSent`); answered with OK. */
export type PatchDocFromClient = TypedMessage<"PATCH-DOC", { events: WireEvent[] }>;

/**
 * Every message a client may send, tagged by `msgtype` (switch on `msg.msgtype` to narrow `msg.content`). Each is
 * a whole {@link Message}: buffers referenced from `doc` / `events` by `{"id": ...}` stay in `buffers`, and the
 * reply's `reqid` is `header.msgid`. ACK, OK, ERROR and the *-REPLY types are server-only.
 */
export type ClientMessage = PullDocReq | ServerInfoReq | PushDoc | PatchDocFromClient;

/** The msgtypes a client may send. */
export type ClientMsgType = ClientMessage["msgtype"];

/**
 * Checks that a received message is something a client may send, with the content its msgtype requires, and
 * returns it typed as a {@link ClientMessage} (same header, metadata, content and buffers objects). Event
 * contents beyond `kind`, and documents beyond `roots`, are not checked here.
 * @throws ProtocolError `unexpected_msgtype` for server-only types, `bad_content` for a content of the wrong shape.
 */
export function parseClientMessage(msg: Message): ClientMessage {
  const { header, content } = msg;
  if (!isPlainObject(content)) throw new ProtocolError("bad_content", `${header.msgtype} content is not a JSON object`);
  switch (header.msgtype) {
    case "PULL-DOC-REQ":
    case "SERVER-INFO-REQ":
      break;
    case "PUSH-DOC":
      if (!isWireDocJson(content.doc)) throw new ProtocolError("bad_content", "PUSH-DOC content needs a doc with a roots array");
      break;
    case "PATCH-DOC":
      if (!isWireEventList(content.events)) {
        throw new ProtocolError("bad_content", "PATCH-DOC content needs an events array of objects with a string kind");
      }
      break;
    default:
      throw new ProtocolError("unexpected_msgtype", `a client may not send ${header.msgtype}`);
  }
  return { ...msg, msgtype: header.msgtype } as ClientMessage;
}

/** An empty message content (`{}`). */
export type EmptyContent = Record<string, never>;

/** A PULL-DOC-REQ, as a client sends it right after the server's ACK. */
export function pullDocReq(): Message<EmptyContent> {
  return createMessage("PULL-DOC-REQ", {});
}

/** A SERVER-INFO-REQ. */
export function serverInfoReq(): Message<EmptyContent> {
  return createMessage("SERVER-INFO-REQ", {});
}

/** A PUSH-DOC carrying a whole document, plus the buffers its JSON refers to. */
export function pushDoc(doc: WireDocJson, buffers: MessageBuffer[] = []): Message<{ doc: WireDocJson }> {
  return createMessage("PUSH-DOC", { doc }, { buffers });
}

/** A client PATCH-DOC, plus the buffers its events refer to. */
export function patchDocFromClient(content: { events: unknown[] }, buffers: MessageBuffer[] = []): Message<{ events: unknown[] }> {
  return createMessage("PATCH-DOC", { events: content.events }, { buffers });
}
