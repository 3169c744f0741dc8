import { describe, expect, it } from "vitest";
import { parseClientMessage, pullDocReq, serverInfoReq } from "../../../shared/protocol/client-messages.ts";
import { encodeMessage } from "../../../shared/protocol/frames.ts";
import type { Message } from "../../../shared/protocol/message.ts";
import {
  ack,
  ok,
  parseServerMessage,
  patchDoc,
  pullDocReply,
  serverInfoReply,
} from "../../../shared/protocol/server-messages.ts";
import { RECORDING_NAMES, decodeAll, framesOf, loadRecording, shapeOf } from "./recordings.ts";

const REPLY_TYPE = { "PULL-DOC-REQ": "PULL-DOC-REPLY", "SERVER-INFO-REQ": "SERVER-INFO-REPLY", "PATCH-DOC": "OK" } as const;

describe.each(RECORDING_NAMES)("recorded Bokeh 3.6 traffic: %s", (name) => {
  const recording = loadRecording(name);
  const clientFrames = framesOf(recording, "client->server");
  const serverFrames = framesOf(recording, "server->client");
  const clientMessages = decodeAll(clientFrames);
  const serverMessages = decodeAll(serverFrames);

  it("decodes every message of each direction with the recorded headers, metadata and content", () => {
    for (const [frames, messages] of [
      [clientFrames, clientMessages],
      [serverFrames, serverMessages],
    ] as const) {
      const headers = frames.filter((f): f is string => typeof f === "string" && f.includes('"msgtype"')).map((f) => JSON.parse(f));
      expect(messages.map((m) => m.header)).toEqual(headers);
      for (const message of messages) {
        expect(message.metadata).toEqual({});
        expect(typeof message.content).toBe("object");
      }
    }
    expect(serverMessages[0].header.msgtype).toBe("ACK");
    expect(clientMessages[0].header.msgtype).toBe("PULL-DOC-REQ");
  });

  it("attaches each binary buffer under the id of the text frame before it", () => {
    const expected: Array<{ id: string; length: number }> = [];
    recording.frames.forEach((frame, index) => {
      if (frame.dir === "server->client" && frame.type === "binary") {
        const previous = recording.frames.slice(0, index).filter((f) => f.dir === "server->client").at(-1);
        expected.push({ id: JSON.parse(previous?.text as string).id, length: frame.length as number });
      }
    });
    expect(expected.length).toBeGreaterThan(0);
    const decoded = serverMessages.flatMap((m) => m.buffers.map((b) => ({ id: b.id, length: b.data.byteLength })));
    expect(decoded).toEqual(expected);
    for (const message of serverMessages) {
      expect(message.buffers.length).toBe(message.header.num_buffers ?? 0);
      const content = JSON.stringify(message.content);
      for (const buffer of message.buffers) expect(content).toContain(`{"id":"${buffer.id}"}`);
    }
  });

  it("accepts every client message with parseClientMessage and every server message with parseServerMessage", () => {
    const parsed = clientMessages.map(parseClientMessage);
    expect(parsed.map((m) => m.msgtype)).toEqual(clientMessages.map((m) => m.header.msgtype));
    for (const message of parsed) {
      if (message.msgtype === "PATCH-DOC") expect(message.content.events.length).toBeGreaterThan(0);
    }
    const fromServer = serverMessages.map(parseServerMessage);
    expect(fromServer.map((m) => m.msgtype)).toEqual(serverMessages.map((m) => m.header.msgtype));
  });

  it("re-encodes every message into frames that decode to the same message", () => {
    for (const message of [...clientMessages, ...serverMessages]) {
      expect(decodeAll(encodeMessage(message))).toEqual([message]);
    }
  });

  it("answered every client request once, with reqid = the request's msgid, shaped like our constructors' replies", () => {
    for (const request of clientMessages) {
      const replies = serverMessages.filter((m) => m.header.reqid === request.header.msgid);
      expect(replies).toHaveLength(1);
      const [reply] = replies;
      const type = request.header.msgtype as keyof typeof REPLY_TYPE;
      expect(reply.header.msgtype).toBe(REPLY_TYPE[type]);
      const built = buildReply(request, reply);
      expect(built.header.reqid).toBe(request.header.msgid);
      expect(shapeOf(built.header)).toEqual(shapeOf(reply.header));
      expect(shapeOf(built.metadata)).toEqual(shapeOf(reply.metadata));
      expect(shapeOf(built.content)).toEqual(shapeOf(reply.content));
    }
  });

  it("sent ACK and server PATCH-DOCs shaped like ack() and patchDoc()", () => {
    expect(shapeOf(ack().header)).toEqual(shapeOf(serverMessages[0].header));
    expect(shapeOf(ack().content)).toEqual(shapeOf(serverMessages[0].content));
    const patches = serverMessages.filter((m) => m.header.msgtype === "PATCH-DOC");
    expect(patches.some((m) => m.buffers.length > 0)).toBe(true);
    for (const recorded of patches) {
      const content = recorded.content as { events: unknown[] };
      const built = patchDoc({ events: content.events }, recorded.buffers);
      expect(shapeOf(built.header)).toEqual(shapeOf(recorded.header));
      expect(built.content).toEqual(recorded.content);
    }
  });
});

describe("recorded client requests vs. our client constructors", () => {
  it("pullDocReq() and serverInfoReq() match the recorded requests' shapes", () => {
    const messages = decodeAll(framesOf(loadRecording("pull_session"), "client->server"));
    const pull = messages.find((m) => m.header.msgtype === "PULL-DOC-REQ") as Message;
    const info = messages.find((m) => m.header.msgtype === "SERVER-INFO-REQ") as Message;
    for (const [built, recorded] of [
      [pullDocReq(), pull],
      [serverInfoReq(), info],
    ] as const) {
      expect(shapeOf(built.header)).toEqual(shapeOf(recorded.header));
      expect(built.content).toEqual(recorded.content);
    }
  });

  it("encodes BokehJS's messages byte for byte as BokehJS sent them", () => {
    const frames = framesOf(loadRecording("browser_session"), "client->server");
    const reencoded = decodeAll(frames).flatMap(encodeMessage);
    expect(reencoded).toEqual(frames);
  });

  it("sees the BokehJS UI events as MessageSent in client PATCH-DOCs", () => {
    const parsed = decodeAll(framesOf(loadRecording("browser_session"), "client->server")).map(parseClientMessage);
    const names = parsed.flatMap((m) =>
      m.msgtype === "PATCH-DOC" ? m.content.events.filter((e) => e.kind === "MessageSent").map((e) => (e.msg_data as { name: string }).name) : [],
    );
    expect(names).toEqual(["document_ready", "button_click", "button_click"]);
  });
});

function buildReply(request: Message, recorded: Message): Message {
  switch (request.header.msgtype) {
    case "PULL-DOC-REQ":
      return pullDocReply(request.header.msgid, (recorded.content as { doc: unknown }).doc);
    case "SERVER-INFO-REQ":
      return serverInfoReply(request.header.msgid, { bokeh: "3.10.0", server: "0.1.0" });
    default:
      return ok(request.header.msgid);
  }
}
