import { describe, expect, it } from "vitest";
import { MESSAGE_TOO_BIG_CLOSE, PROTOCOL_ERROR_CLOSE, ProtocolError } from "../../../shared/protocol/errors.ts";
import { encodeMessage } from "../../../shared/protocol/frames.ts";
import { Receiver } from "../../../shared/protocol/receiver.ts";
import { patchDoc } from "../../../shared/protocol/server-messages.ts";

const HEADER = '{"msgid":"m1","msgtype":"PATCH-DOC"}';
const bytes = (...values: number[]) => new Uint8Array(values);

/** Feeds frames in order and returns the ProtocolError the receiver throws (failing if it throws none). */
function errorFrom(frames: Array<string | Uint8Array>, receiver = new Receiver()): ProtocolError {
  try {
    for (const frame of frames) receiver.consume(frame);
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    return err as ProtocolError;
  }
  throw new Error("expected a ProtocolError");
}

describe("Receiver", () => {
  it("returns null until the content frame completes a message without buffers", () => {
    const receiver = new Receiver();
    expect(receiver.consume('{"msgid":"a","msgtype":"PULL-DOC-REQ"}')).toBeNull();
    expect(receiver.consume('{"trace":1}')).toBeNull();
    expect(receiver.consume("{}")).toEqual({
      header: { msgid: "a", msgtype: "PULL-DOC-REQ" },
      metadata: { trace: 1 },
      content: {},
      buffers: [],
    });
  });

  it("waits for num_buffers (id, payload) pairs, then starts over with the next message", () => {
    const receiver = new Receiver();
    const frames = ['{"msgid":"b","msgtype":"PATCH-DOC","num_buffers":2}', "{}", '{"events":[]}', '{"id":"x"}', bytes(1), '{"id":"y"}'];
    for (const frame of frames) expect(receiver.consume(frame)).toBeNull();
    const message = receiver.consume(bytes(2, 3));
    expect(message?.buffers).toEqual([
      { id: "x", data: bytes(1) },
      { id: "y", data: bytes(2, 3) },
    ]);
    expect(message?.header.num_buffers).toBe(2);
    receiver.consume('{"msgid":"c","msgtype":"OK","reqid":"b"}');
    receiver.consume("{}");
    expect(receiver.consume("{}")?.header).toEqual({ msgid: "c", msgtype: "OK", reqid: "b" });
  });

  it("treats num_buffers 0 like no buffers, and drops unknown header keys", () => {
    const receiver = new Receiver();
    receiver.consume('{"msgid":"d","msgtype":"ACK","num_buffers":0,"extra":true}');
    receiver.consume("{}");
    expect(receiver.consume("{}")?.header).toEqual({ msgid: "d", msgtype: "ACK", num_buffers: 0 });
  });

  it("decodes what encodeMessage produces", () => {
    const message = patchDoc({ events: [{ kind: "TitleChanged", title: "t" }] }, [{ id: "p1", data: bytes(9, 8, 7) }]);
    const receiver = new Receiver();
    const decoded = encodeMessage(message).map((frame) => receiver.consume(frame));
    expect(decoded.at(-1)).toEqual(message);
  });

  describe("errors", () => {
    it.each([
      ["binary header", [bytes(1)]],
      ["binary metadata", [HEADER, bytes(1)]],
      ["binary content", [HEADER, "{}", bytes(1)]],
      ["binary buffer header", ['{"msgid":"m","msgtype":"PATCH-DOC","num_buffers":1}', "{}", "{}", bytes(1)]],
      ["text buffer payload", ['{"msgid":"m","msgtype":"PATCH-DOC","num_buffers":1}', "{}", "{}", '{"id":"a"}', "{}"]],
    ])("bad_frame_type: %s", (_label, frames) => {
      const err = errorFrom(frames);
      expect(err.code).toBe("bad_frame_type");
      expect(err.closeCode).toBe(PROTOCOL_ERROR_CLOSE);
    });

    it.each([
      ["header", ["{nope"]],
      ["metadata", [HEADER, "{"]],
      ["content", [HEADER, "{}", "[1,"]],
      ["buffer header", ['{"msgid":"m","msgtype":"PATCH-DOC","num_buffers":1}', "{}", "{}", "id"]],
    ])("bad_json: %s", (_label, frames) => {
      expect(errorFrom(frames).code).toBe("bad_json");
    });

    it.each([
      ["not an object", '["msgid"]'],
      ["no msgid", '{"msgtype":"ACK"}'],
      ["empty msgid", '{"msgid":"","msgtype":"ACK"}'],
      ["no msgtype", '{"msgid":"m"}'],
      ["msgtype not a string", '{"msgid":"m","msgtype":7}'],
      ["reqid not a string", '{"msgid":"m","msgtype":"OK","reqid":5}'],
      ["negative num_buffers", '{"msgid":"m","msgtype":"PATCH-DOC","num_buffers":-1}'],
      ["fractional num_buffers", '{"msgid":"m","msgtype":"PATCH-DOC","num_buffers":1.5}'],
    ])("bad_header: %s", (_label, header) => {
      expect(errorFrom([header]).code).toBe("bad_header");
    });

    it("unknown_msgtype for a msgtype Bokeh does not define", () => {
      expect(errorFrom(['{"msgid":"m","msgtype":"HELLO"}']).code).toBe("unknown_msgtype");
    });

    it("bad_metadata when metadata is not an object", () => {
      expect(errorFrom([HEADER, "[]"]).code).toBe("bad_metadata");
    });

    it.each([
      ["no id", '{"name":"a"}'],
      ["id not a string", '{"id":1}'],
      ["extra keys", '{"id":"a","x":1}'],
    ])("bad_buffer_header: %s", (_label, bufferHeader) => {
      const frames = ['{"msgid":"m","msgtype":"PATCH-DOC","num_buffers":1}', "{}", "{}", bufferHeader];
      expect(errorFrom(frames).code).toBe("bad_buffer_header");
    });

    it("bad_buffer_header for a duplicate buffer id within one message", () => {
      const frames = ['{"msgid":"m","msgtype":"PATCH-DOC","num_buffers":2}', "{}", "{}", '{"id":"a"}', bytes(1), '{"id":"a"}'];
      expect(errorFrom(frames).code).toBe("bad_buffer_header");
    });

    it("too_many_buffers when num_buffers exceeds maxBuffers (the default is 1024)", () => {
      expect(errorFrom(['{"msgid":"m","msgtype":"PATCH-DOC","num_buffers":1025}']).code).toBe("too_many_buffers");
      const limited = new Receiver({ maxBuffers: 2 });
      const err = errorFrom(['{"msgid":"m","msgtype":"PATCH-DOC","num_buffers":3}'], limited);
      expect(err.code).toBe("too_many_buffers");
      expect(err.closeCode).toBe(MESSAGE_TOO_BIG_CLOSE);
      const ok = new Receiver({ maxBuffers: 2 });
      expect(ok.consume('{"msgid":"m","msgtype":"PATCH-DOC","num_buffers":2}')).toBeNull();
    });

    it("message_too_large counts all frames of one message, text as UTF-8 bytes", () => {
      const header = '{"msgid":"m","msgtype":"PATCH-DOC","num_buffers":1}'; // 50 bytes
      const limit = header.length + 2 + 2 + 8 + 10;
      const fits = [header, "{}", "{}", '{"id":"a"}', new Uint8Array(8)];
      const receiver = new Receiver({ maxMessageBytes: limit });
      expect(fits.map((frame) => receiver.consume(frame)).at(-1)?.buffers[0].data.byteLength).toBe(8);
      // The count starts over with each message: the same message fits again.
      expect(fits.map((frame) => receiver.consume(frame)).at(-1)).not.toBeNull();

      const tooBig = [header, "{}", "{}", '{"id":"a"}', new Uint8Array(9)];
      const err = errorFrom(tooBig, new Receiver({ maxMessageBytes: limit }));
      expect(err.code).toBe("message_too_large");
      expect(err.closeCode).toBe(MESSAGE_TOO_BIG_CLOSE);

      // "é" is one UTF-16 unit but two UTF-8 bytes.
      const small = new Receiver({ maxMessageBytes: HEADER.length + 2 + 6 });
      expect(errorFrom([HEADER, "{}", '{"é":1}'], small).code).toBe("message_too_large");
    });

    it("defaults maxMessageBytes to 20 MiB", () => {
      const receiver = new Receiver();
      receiver.consume('{"msgid":"m","msgtype":"PATCH-DOC","num_buffers":1}');
      receiver.consume("{}");
      receiver.consume("{}");
      receiver.consume('{"id":"a"}');
      expect(errorFrom([new Uint8Array(20 * 1024 * 1024)], receiver).code).toBe("message_too_large");
    });

    it("is unusable after an error: every later frame throws receiver_failed", () => {
      const receiver = new Receiver();
      expect(errorFrom([bytes(1)], receiver).code).toBe("bad_frame_type");
      expect(errorFrom(['{"msgid":"a","msgtype":"ACK"}'], receiver).code).toBe("receiver_failed");
      expect(errorFrom(["{}"], receiver).code).toBe("receiver_failed");
    });
  });
});
