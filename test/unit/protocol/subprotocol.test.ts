import { describe, expect, it } from "vitest";
import { ProtocolError, TokenError } from "../../../shared/protocol/errors.ts";
import { parseSubprotocolHeader, validateToken } from "../../../shared/protocol/subprotocol.ts";
import { generateSessionId, generateToken } from "../../../shared/protocol/token.ts";
import { loadRecording } from "./recordings.ts";

const KEY = "plothost-test-secret";

function errorOf<E extends Error>(fn: () => unknown, type: new (...args: never[]) => E): E {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(type);
    return err as E;
  }
  throw new Error(`expected a ${type.name}`);
}

describe("parseSubprotocolHeader", () => {
  it("reads the token from the headers BokehJS and bokeh.client sent in the recordings", () => {
    for (const name of ["pull_session", "browser_session"] as const) {
      const header = loadRecording(name).request.headers["sec-websocket-protocol"];
      expect(parseSubprotocolHeader(header).token).toBe(header.split(",")[1].trim());
    }
    expect(parseSubprotocolHeader("bokeh,  tok.sig ")).toEqual({ token: "tok.sig" });
  });

  it.each([
    ["missing", undefined],
    ["empty", ""],
    ["one entry", "bokeh"],
    ["three entries", "bokeh, tok, extra"],
    ["wrong first entry", "chat, tok"],
    ["first entry in other case", "Bokeh, tok"],
    ["empty token", "bokeh, "],
  ])("rejects a %s header with bad_subprotocol", (_label, header) => {
    const err = errorOf(() => parseSubprotocolHeader(header), ProtocolError);
    expect(err.code).toBe("bad_subprotocol");
    expect(err.httpStatus).toBe(400);
  });
});

describe("validateToken", () => {
  it("returns the payload of an unexpired token", () => {
    const token = generateToken("sid", { now: 1000, expiration: 60, extraPayload: { arguments: {} } });
    expect(validateToken(token, { now: 1059, signed: false })).toEqual({ session_id: "sid", session_expiry: 1060, arguments: {} });
  });

  it("accepts the recorded token until its session_expiry, like Bokeh (now >= expiry is expired)", () => {
    const header = loadRecording("pull_session").request.headers["sec-websocket-protocol"];
    const { token } = parseSubprotocolHeader(header);
    expect(validateToken(token, { now: 1795422331, signed: false }).session_id).toBe("kreGRAaSNdqCurwg6Laqk9mD5fDUQipBvLLasAwgTQVr");
    expect(errorOf(() => validateToken(token, { now: 1795422332, signed: false }), TokenError).code).toBe("expired_token");
  });

  it("rejects expired tokens and tokens without session_expiry as expired_token", () => {
    const token = generateToken("sid", { now: 1000, expiration: 60 });
    const err = errorOf(() => validateToken(token, { now: 2000, signed: false }), TokenError);
    expect(err.code).toBe("expired_token");
    expect(err.closeCode).toBe(1008);
    expect(err.httpStatus).toBe(403);
    const defaultToken = "eyJzZXNzaW9uX2lkIjogImRlZmF1bHQifQ"; // BokehJS's DEFAULT_TOKEN has no expiry
    expect(errorOf(() => validateToken(defaultToken, { now: 0, signed: false }), TokenError).code).toBe("expired_token");
  });

  it("checks signatures of the token and its session id when signing is on", () => {
    const sid = generateSessionId({ secretKey: KEY, signed: true });
    const token = generateToken(sid, { now: 1000, secretKey: KEY, signed: true });
    expect(validateToken(token, { now: 1001, secretKey: KEY, signed: true }).session_id).toBe(sid);

    const unsigned = generateToken(sid, { now: 1000 });
    const wrongKey = generateToken(sid, { now: 1000, secretKey: "other", signed: true });
    const unsignedId = generateToken("plain", { now: 1000, secretKey: KEY, signed: true });
    for (const bad of [unsigned, wrongKey, unsignedId, `${token}x`]) {
      expect(errorOf(() => validateToken(bad, { now: 1001, secretKey: KEY, signed: true }), TokenError).code).toBe("bad_signature");
    }
  });

  it("checks the signature before the expiry, so a forged token is reported as forged", () => {
    const expiredAndUnsigned = generateToken("sid", { now: 0 });
    expect(errorOf(() => validateToken(expiredAndUnsigned, { now: 1e9, secretKey: KEY, signed: true }), TokenError).code).toBe(
      "bad_signature",
    );
  });

  it("rejects an undecodable token as malformed_token", () => {
    expect(errorOf(() => validateToken("%%", { now: 0, signed: false }), TokenError).code).toBe("malformed_token");
  });
});
