import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import {
  INTERNAL_ERROR_CLOSE,
  MAX_CLOSE_REASON_BYTES,
  MESSAGE_TOO_BIG_CLOSE,
  PROTOCOL_ERROR_CLOSE,
  PYTHON_BOKEH_CLOSE_CODES,
  ProtocolError,
  TOKEN_REJECTED_CLOSE,
  TokenError,
  closeFrameFor,
  truncateUtf8,
} from "../../../shared/protocol/errors.ts";

describe("errors", () => {
  it("carry a stable code, a close code and an HTTP status", () => {
    const protocol = new ProtocolError("bad_json", "content frame is not valid JSON");
    expect(protocol).toBeInstanceOf(Error);
    expect(protocol).toMatchObject({ name: "ProtocolError", code: "bad_json", closeCode: PROTOCOL_ERROR_CLOSE, httpStatus: 400 });
    expect(protocol.message).toContain("content frame is not valid JSON");
    expect(new ProtocolError("message_too_large").closeCode).toBe(MESSAGE_TOO_BIG_CLOSE);
    expect(new ProtocolError("too_many_buffers").closeCode).toBe(MESSAGE_TOO_BIG_CLOSE);
    const token = new TokenError("expired_token");
    expect(token).toMatchObject({ name: "TokenError", code: "expired_token", closeCode: TOKEN_REJECTED_CLOSE, httpStatus: 403 });
    expect(token.message).toMatch(/reload/);
  });

  it("closeFrameFor gives the error's close code, hides unknown errors, and keeps the reason within 123 bytes", () => {
    const long = new ProtocolError("bad_content", "é".repeat(200));
    const frame = closeFrameFor(long);
    expect(frame.code).toBe(PROTOCOL_ERROR_CLOSE);
    expect(frame.reason.startsWith("bad_content: ")).toBe(true);
    expect(Buffer.byteLength(frame.reason)).toBeLessThanOrEqual(MAX_CLOSE_REASON_BYTES);
    expect(closeFrameFor(new TokenError("bad_signature")).code).toBe(TOKEN_REJECTED_CLOSE);
    expect(closeFrameFor(new Error("secret path /srv/x"))).toEqual({ code: INTERNAL_ERROR_CLOSE, reason: "internal server error" });
  });

  it("truncateUtf8 never splits a character", () => {
    expect(truncateUtf8("abc", 3)).toBe("abc");
    expect(truncateUtf8("aé", 2)).toBe("a");
    expect(truncateUtf8("a😀b", 5)).toBe("a😀");
    expect(truncateUtf8("a😀b", 4)).toBe("a");
  });
});

describe("close codes over a real ws connection", () => {
  let server: WebSocketServer | undefined;
  afterEach(async () => {
    if (server) await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  async function closeSeenByClient(code: number, reason: string): Promise<{ code: number; reason: string }> {
    server = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    server.on("connection", (socket) => socket.close(code, reason));
    await once(server, "listening");
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const [seenCode, seenReason] = (await once(client, "close")) as [number, Buffer];
    return { code: seenCode, reason: seenReason.toString() };
  }

  it.each([PROTOCOL_ERROR_CLOSE, TOKEN_REJECTED_CLOSE, MESSAGE_TOO_BIG_CLOSE, INTERNAL_ERROR_CLOSE])(
    "%i can be sent by ws and reaches the client with its reason",
    async (code) => {
      const { reason } = closeFrameFor(new ProtocolError("bad_content", "x".repeat(300)));
      expect(await closeSeenByClient(code, reason)).toEqual({ code, reason });
    },
  );

  it("ws refuses to send Python Bokeh's 10001 / 10000, which is why they are not used", async () => {
    const thrown: unknown[] = [];
    server = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    server.on("connection", (socket) => {
      for (const code of Object.values(PYTHON_BOKEH_CLOSE_CODES)) {
        try {
          socket.close(code, "bokeh");
        } catch (err) {
          thrown.push(err);
        }
      }
      socket.close(1000, "done");
    });
    await once(server, "listening");
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const [code] = (await once(client, "close")) as [number];
    expect(code).toBe(1000);
    expect(thrown).toHaveLength(2);
    for (const err of thrown) expect(err).toBeInstanceOf(TypeError);
  });
});
