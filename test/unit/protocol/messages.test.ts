import { describe, expect, it } from "vitest";
import {
  parseClientMessage,
  patchDocFromClient,
  pullDocReq,
  pushDoc,
  serverInfoReq,
} from "../../../shared/protocol/client-messages.ts";
import { ProtocolError } from "../../../shared/protocol/errors.ts";
import { encodeMessage } from "../../../shared/protocol/frames.ts";
import { MSG_TYPES, newMsgId, type Message, type MsgType } from "../../../shared/protocol/message.ts";
import {
  ack,
  error,
  ok,
  parseServerMessage,
  patchDoc,
  pullDocReply,
  serverInfoReply,
} from "../../../shared/protocol/server-messages.ts";

const DOC = { version: "3.10.0", title: "t", roots: [] };
const msg = (msgtype: MsgType, content: unknown, reqid?: string): Message => ({
  header: reqid === undefined ? { msgid: "m1", msgtype } : { msgid: "m1", msgtype, reqid },
  metadata: {},
  content,
  buffers: [],
});
const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    return (err as ProtocolError).code;
  }
  throw new Error("expected a ProtocolError");
};

describe("newMsgId", () => {
  it("gives distinct 32-hex-digit ids", () => {
    const ids = new Set(Array.from({ length: 1000 }, newMsgId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9A-F]{32}$/);
  });
});

describe("server message constructors", () => {
  it("build the headers and contents Bokeh's server sends", () => {
    expect(ack()).toMatchObject({ header: { msgtype: "ACK" }, metadata: {}, content: {}, buffers: [] });
    expect(ack().header).not.toHaveProperty("reqid");
    expect(ok("r1").header).toMatchObject({ msgtype: "OK", reqid: "r1" });
    expect(ok("r1").content).toEqual({});
    expect(error("r2", "boom")).toMatchObject({ header: { msgtype: "ERROR", reqid: "r2" }, content: { text: "boom", traceback: null } });
    expect(error(undefined, "boom", "trace").header).not.toHaveProperty("reqid");
    expect(error(undefined, "boom", "trace").content).toEqual({ text: "boom", traceback: "trace" });
    expect(serverInfoReply("r3", { bokeh: "3.10.0", server: "0.1.0" })).toMatchObject({
      header: { msgtype: "SERVER-INFO-REPLY", reqid: "r3" },
      content: { version_info: { bokeh: "3.10.0", server: "0.1.0" } },
    });
    expect(pullDocReply("r4", DOC)).toMatchObject({ header: { msgtype: "PULL-DOC-REPLY", reqid: "r4" }, content: { doc: DOC } });
    expect(patchDoc({ events: [] }).header).not.toHaveProperty("reqid");
  });

  it("set num_buffers only when there are buffers", () => {
    const buffers = [{ id: "b1", data: new Uint8Array([1]) }];
    expect(pullDocReply("r", DOC).header).not.toHaveProperty("num_buffers");
    expect(pullDocReply("r", DOC, buffers)).toMatchObject({ header: { num_buffers: 1 }, buffers });
    expect(patchDoc({ events: [] }, buffers).header.num_buffers).toBe(1);
    expect(patchDoc({ events: [] }).header).not.toHaveProperty("num_buffers");
  });
});

describe("client message constructors", () => {
  it("build the requests bokeh.client sends", () => {
    expect(pullDocReq()).toMatchObject({ header: { msgtype: "PULL-DOC-REQ" }, content: {} });
    expect(serverInfoReq()).toMatchObject({ header: { msgtype: "SERVER-INFO-REQ" }, content: {} });
    expect(pushDoc(DOC)).toMatchObject({ header: { msgtype: "PUSH-DOC" }, content: { doc: DOC } });
    const buffers = [{ id: "0", data: new Uint8Array([1, 2]) }];
    expect(patchDocFromClient({ events: [{ kind: "TitleChanged", title: "x" }] }, buffers)).toMatchObject({
      header: { msgtype: "PATCH-DOC", num_buffers: 1 },
      content: { events: [{ kind: "TitleChanged", title: "x" }] },
      buffers,
    });
  });
});

describe("encodeMessage", () => {
  it("writes header, metadata, content as compact JSON, then an id frame and a binary frame per buffer", () => {
    const data = new Uint8Array([1, 2, 3]);
    const message: Message = {
      header: { msgid: "m9", msgtype: "PATCH-DOC", reqid: "r" },
      metadata: { a: 1 },
      content: { events: [] },
      buffers: [{ id: "p1", data }],
    };
    const frames = encodeMessage(message);
    expect(frames).toEqual(['{"msgid":"m9","msgtype":"PATCH-DOC","reqid":"r","num_buffers":1}', '{"a":1}', '{"events":[]}', '{"id":"p1"}', data]);
    expect(frames[4]).toBe(data);
  });

  it("derives num_buffers from the buffers, not from the header", () => {
    const base = { metadata: {}, content: {} };
    const stale: Message = { ...base, header: { msgid: "x", msgtype: "ACK", num_buffers: 3 }, buffers: [] };
    expect(encodeMessage(stale)[0]).toBe('{"msgid":"x","msgtype":"ACK"}');
    const missing: Message = { ...base, header: { msgid: "x", msgtype: "ACK" }, buffers: [{ id: "b", data: new Uint8Array(1) }] };
    expect(encodeMessage(missing)[0]).toBe('{"msgid":"x","msgtype":"ACK","num_buffers":1}');
  });

  it("refuses content that is not JSON", () => {
    expect(() => encodeMessage(msg("ACK", undefined))).toThrow(TypeError);
  });
});

describe("parseClientMessage", () => {
  it("returns the same message tagged by msgtype, so that a switch narrows its content", () => {
    const events = [{ kind: "ModelChanged", model: { id: "p1" }, attr: "value", new: 2 }];
    const raw = msg("PATCH-DOC", { events });
    const parsed = parseClientMessage(raw);
    expect(parsed).toEqual({ ...raw, msgtype: "PATCH-DOC" });
    expect(parsed.header).toBe(raw.header);
    expect(parsed.content).toBe(raw.content);
    if (parsed.msgtype !== "PATCH-DOC") throw new Error("not narrowed");
    expect(parsed.content.events[0].kind).toBe("ModelChanged");
    const push = parseClientMessage(msg("PUSH-DOC", { doc: DOC }));
    expect(push.msgtype === "PUSH-DOC" && push.content.doc.roots).toEqual([]);
    expect(parseClientMessage(msg("PULL-DOC-REQ", {})).msgtype).toBe("PULL-DOC-REQ");
    expect(parseClientMessage(msg("SERVER-INFO-REQ", {})).msgtype).toBe("SERVER-INFO-REQ");
  });

  it.each(MSG_TYPES.filter((t) => !["PULL-DOC-REQ", "SERVER-INFO-REQ", "PUSH-DOC", "PATCH-DOC"].includes(t)))(
    "rejects the server-only type %s",
    (msgtype) => {
      expect(codeOf(() => parseClientMessage(msg(msgtype, {}, "r")))).toBe("unexpected_msgtype");
    },
  );

  it.each([
    ["content not an object", "PULL-DOC-REQ", []],
    ["null content", "PATCH-DOC", null],
    ["PATCH-DOC without events", "PATCH-DOC", {}],
    ["PATCH-DOC events not an array", "PATCH-DOC", { events: {} }],
    ["PATCH-DOC event without kind", "PATCH-DOC", { events: [{ attr: "x" }] }],
    ["PUSH-DOC without doc", "PUSH-DOC", {}],
    ["PUSH-DOC doc without roots", "PUSH-DOC", { doc: { title: "t" } }],
  ] as const)("rejects %s as bad_content", (_label, msgtype, content) => {
    expect(codeOf(() => parseClientMessage(msg(msgtype, content)))).toBe("bad_content");
  });
});

describe("parseServerMessage", () => {
  it("accepts what the server constructors build", () => {
    expect(parseServerMessage(ack()).msgtype).toBe("ACK");
    expect(parseServerMessage(ok("r"))).toMatchObject({ msgtype: "OK", header: { reqid: "r" } });
    expect(parseServerMessage(error("r", "no", null))).toMatchObject({ msgtype: "ERROR", header: { reqid: "r" }, content: { text: "no", traceback: null } });
    expect(parseServerMessage(error(undefined, "no")).header).not.toHaveProperty("reqid");
    expect(parseServerMessage(msg("ERROR", { text: "old server" })).content).toEqual({ text: "old server", traceback: null });
    expect(parseServerMessage(serverInfoReply("r", { bokeh: "a", server: "b" }))).toMatchObject({ content: { version_info: { bokeh: "a", server: "b" } } });
    expect(parseServerMessage(pullDocReply("r", DOC))).toMatchObject({ msgtype: "PULL-DOC-REPLY", content: { doc: DOC } });
    expect(parseServerMessage(patchDoc({ events: [{ kind: "TitleChanged", title: "x" }] }))).toMatchObject({ msgtype: "PATCH-DOC" });
  });

  it("rejects client-only types, replies without reqid and wrong contents", () => {
    expect(codeOf(() => parseServerMessage(pullDocReq()))).toBe("unexpected_msgtype");
    expect(codeOf(() => parseServerMessage(msg("OK", {})))).toBe("bad_content");
    expect(codeOf(() => parseServerMessage(msg("PULL-DOC-REPLY", { doc: {} }, "r")))).toBe("bad_content");
    expect(codeOf(() => parseServerMessage(msg("SERVER-INFO-REPLY", { version_info: { bokeh: 3 } }, "r")))).toBe("bad_content");
    expect(codeOf(() => parseServerMessage(msg("ERROR", { traceback: null }, "r")))).toBe("bad_content");
    expect(codeOf(() => parseServerMessage(msg("PATCH-DOC", { events: [1] })))).toBe("bad_content");
    expect(codeOf(() => parseServerMessage(msg("ACK", "hi")))).toBe("bad_content");
  });
});
