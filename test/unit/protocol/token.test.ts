import { Buffer } from "node:buffer";
import { deflateSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { TokenError } from "../../../shared/protocol/errors.ts";
import {
  MAX_EXTRA_PAYLOAD_BYTES,
  checkSessionIdSignature,
  checkTokenSignature,
  generateSessionId,
  generateToken,
  parseToken,
  sessionIdFromToken,
} from "../../../shared/protocol/token.ts";
import { loadRecording } from "./recordings.ts";

const KEY = "plothost-test-secret";
const b64url = (value: string | Uint8Array) => Buffer.from(value).toString("base64url");
const tokenErrorCode = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TokenError);
    return (err as TokenError).code;
  }
  throw new Error("expected a TokenError");
};

// Made with Python's stdlib exactly as bokeh/util/token.py does (hmac/sha256, zlib level 9, urlsafe base64 without
// padding, json.dumps with its default ", " / ": " separators), with the secret KEY and an extra payload holding
// bytes: {"arguments": {"N": [b"5"]}, "cookies": {"a": "b"}}.
const PY_SESSION_ID = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ01234567.5pciYZ7wFWtyE14GltE8b6x_DMhcybt_CWZyGrfB02o";
const PY_TOKEN =
  "eyJzZXNzaW9uX2lkIjogImFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6QUJDREVGR0hJSjAxMjM0NTY3LjVwY2lZWjd3Rld0eUUxNEdsdEU4YjZ4X0RNaGN5YnRfQ1daeUdyZkIwMm8iLCAic2Vzc2lvbl9leHBpcnkiOiAxNzAwMDAwMzAwLCAiX19ia19femxpYl8iOiAiZU5xclZrb3NTaV9OVGMwcktWYXlVcWhXOGdPUzBkVktTWlVscVNBQkpiOUFwZHJZV2gwRnBlVDhfT3pNVklpaVJKQk1rbEp0TFFCd2JCTWQifQ" +
  ".SockbtDMW2TUHSLAb_4RhEen5Y1Gcy2fEUbjisN-VvQ";

describe("session ids", () => {
  it("are 44 characters from [A-Za-z0-9], all different", () => {
    const ids = Array.from({ length: 200 }, () => generateSessionId());
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9]{44}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("use the whole alphabet", () => {
    const seen = new Set(Array.from({ length: 100 }, () => generateSessionId()).join(""));
    expect(seen.size).toBe(62);
  });

  it("are signed as <id>.<base64url HMAC-SHA256> when asked, and verify", () => {
    const id = generateSessionId({ secretKey: KEY, signed: true });
    expect(id).toMatch(/^[A-Za-z0-9]{44}\.[A-Za-z0-9_-]{43}$/);
    expect(checkSessionIdSignature(id, KEY, true)).toBe(true);
    expect(checkSessionIdSignature(id, Buffer.from(KEY), true)).toBe(true);
    expect(checkSessionIdSignature(id, "another-secret", true)).toBe(false);
    expect(generateSessionId({ secretKey: KEY })).toContain("."); // signed defaults to "a key was given"
    expect(generateSessionId({ secretKey: KEY, signed: false })).not.toContain(".");
  });

  it("fail the check when tampered with or unsigned, and always pass when signing is off", () => {
    const id = generateSessionId({ secretKey: KEY, signed: true });
    const tampered = (id[0] === "a" ? "b" : "a") + id.slice(1);
    expect(checkSessionIdSignature(tampered, KEY, true)).toBe(false);
    expect(checkSessionIdSignature(id.split(".")[0], KEY, true)).toBe(false);
    expect(checkSessionIdSignature(`${id}x`, KEY, true)).toBe(false);
    expect(checkSessionIdSignature("anything", undefined, false)).toBe(true);
  });

  it("verify a session id signed by Python's algorithm", () => {
    expect(checkSessionIdSignature(PY_SESSION_ID, KEY, true)).toBe(true);
  });

  it("need a secret key to be signed or checked", () => {
    expect(() => generateSessionId({ signed: true })).toThrow(TypeError);
    expect(() => checkSessionIdSignature("a.b", undefined, true)).toThrow(TypeError);
  });
});

describe("tokens", () => {
  it("parse the token bokeh.client sent in the recording", () => {
    const header = loadRecording("pull_session").request.headers["sec-websocket-protocol"];
    const token = header.split(",")[1].trim();
    expect(parseToken(token)).toEqual({ session_id: "kreGRAaSNdqCurwg6Laqk9mD5fDUQipBvLLasAwgTQVr", session_expiry: 1795422332 });
    expect(sessionIdFromToken(token)).toBe("kreGRAaSNdqCurwg6Laqk9mD5fDUQipBvLLasAwgTQVr");
  });

  it("inflate the zlib extra payload of the token the browser sent in the recording", () => {
    const header = loadRecording("browser_session").request.headers["sec-websocket-protocol"];
    const payload = parseToken(header.split(", ")[1]);
    expect(payload).toMatchObject({ session_id: "feRiEz8A1tuiJ6OmW3HhWKidK9NgHQBhMp70FmqWcnbr", session_expiry: 1795422338 });
    expect(payload).not.toHaveProperty("__bk__zlib_");
    expect(payload.cookies).toEqual({});
    expect(payload.arguments).toEqual({});
    expect((payload.headers as Record<string, string>).Host).toBe("127.0.0.1:5006");
  });

  it("parse BokehJS's DEFAULT_TOKEN to session_id 'default'", () => {
    expect(parseToken("eyJzZXNzaW9uX2lkIjogImRlZmF1bHQifQ")).toEqual({ session_id: "default" });
  });

  it("parse and verify a signed token with bytes in its extra payload made by Python's algorithm", () => {
    expect(checkTokenSignature(PY_TOKEN, KEY, true)).toBe(true);
    expect(parseToken(PY_TOKEN)).toEqual({
      session_id: PY_SESSION_ID,
      session_expiry: 1700000300,
      arguments: { N: [new Uint8Array([0x35])] },
      cookies: { a: "b" },
    });
  });

  it("carry session_id and session_expiry = now + expiration (300 s by default)", () => {
    expect(parseToken(generateToken("sid", { now: 1000 }))).toEqual({ session_id: "sid", session_expiry: 1300 });
    expect(parseToken(generateToken("sid", { now: 1000, expiration: 5 })).session_expiry).toBe(1005);
    const before = Math.floor(Date.now() / 1000);
    const expiry = parseToken(generateToken("sid")).session_expiry as number;
    expect(expiry - 300).toBeGreaterThanOrEqual(before);
    expect(expiry - 300).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it("are unpadded base64url JSON, readable the way BokehJS's parse_token reads them", () => {
    const token = generateToken("séance-ü", { now: 0, extraPayload: { headers: { "X-A": "?>?>" } } });
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    const padded = token + "=".repeat((4 - (token.length % 4)) % 4);
    const json = Buffer.from(atob(padded.replace(/_/g, "/").replace(/-/g, "+")), "latin1").toString("utf8");
    expect(JSON.parse(json).session_id).toBe("séance-ü");
  });

  it("round-trip an extra payload through __bk__zlib_, bytes included", () => {
    const extraPayload = { headers: { Cookie: "x=1" }, cookies: { x: "1" }, arguments: { N: [new Uint8Array([53])] } };
    const token = generateToken("sid", { now: 0, extraPayload });
    const outer = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    expect(Object.keys(outer)).toEqual(["session_id", "session_expiry", "__bk__zlib_"]);
    expect(parseToken(token)).toEqual({ session_id: "sid", session_expiry: 300, ...extraPayload });
  });

  it("refuse an extra payload that would shadow session_id or session_expiry", () => {
    expect(() => generateToken("sid", { extraPayload: { session_id: "other" } })).toThrow(TypeError);
    expect(() => generateToken("sid", { extraPayload: { session_expiry: 1 } })).toThrow(TypeError);
  });

  it("keep the outer session_id and session_expiry over same-named fields smuggled into the extra payload", () => {
    const zlib = deflateSync(Buffer.from(JSON.stringify({ session_id: "evil", session_expiry: 9e9, x: 1 }))).toString("base64url");
    const token = b64url(JSON.stringify({ session_id: "good", session_expiry: 10, __bk__zlib_: zlib }));
    expect(parseToken(token)).toEqual({ session_id: "good", session_expiry: 10, x: 1 });
  });

  it("are signed when asked; the signature covers both the token and its session id", () => {
    const sid = generateSessionId({ secretKey: KEY, signed: true });
    const token = generateToken(sid, { secretKey: KEY, signed: true, extraPayload: { a: 1 } });
    expect(token.split(".")).toHaveLength(2); // <payload>.<signature>; the id's own signature is inside the payload
    expect(checkTokenSignature(token, KEY, true)).toBe(true);
    expect(parseToken(token)).toMatchObject({ session_id: sid, a: 1 });
    expect(sessionIdFromToken(token)).toBe(sid);

    const [payload, signature] = [token.slice(0, token.lastIndexOf(".")), token.slice(token.lastIndexOf(".") + 1)];
    const forged = b64url(JSON.stringify({ ...JSON.parse(Buffer.from(payload, "base64url").toString()), session_expiry: 9e9 }));
    expect(checkTokenSignature(`${forged}.${signature}`, KEY, true)).toBe(false);
    expect(checkTokenSignature(payload, KEY, true)).toBe(false);
    expect(checkTokenSignature(token, "another-secret", true)).toBe(false);
    expect(checkTokenSignature("garbage", undefined, false)).toBe(true);

    // A correctly signed token whose session id is not signed fails too.
    const unsignedId = generateToken("plain-id", { secretKey: KEY, signed: true });
    expect(checkTokenSignature(unsignedId, KEY, true)).toBe(false);
  });

  it("reject what is not a token as malformed_token", () => {
    const zlibOf = (text: string) => deflateSync(Buffer.from(text)).toString("base64url");
    for (const token of [
      "",
      "not base64!",
      "a",
      b64url("not json"),
      b64url("[1]"),
      b64url('{"session_expiry": 1}'),
      b64url('{"session_id": 7}'),
      b64url('{"session_id": ""}'),
      b64url('{"session_id": "s", "session_expiry": "soon"}'),
      b64url('{"session_id": "s", "__bk__zlib_": 5}'),
      b64url('{"session_id": "s", "__bk__zlib_": "bm90IHpsaWI"}'),
      b64url(JSON.stringify({ session_id: "s", __bk__zlib_: zlibOf("[1]") })),
      b64url(Buffer.from([0x7b, 0xff, 0x7d])),
    ]) {
      expect(tokenErrorCode(() => parseToken(token))).toBe("malformed_token");
    }
    expect(tokenErrorCode(() => sessionIdFromToken("%%%"))).toBe("malformed_token");
  });

  it("refuse an extra payload that inflates beyond the limit (a zlib bomb)", () => {
    const bomb = deflateSync(Buffer.from(JSON.stringify({ pad: "x".repeat(MAX_EXTRA_PAYLOAD_BYTES) })), { level: 9 });
    expect(bomb.length).toBeLessThan(8 * 1024);
    const token = b64url(JSON.stringify({ session_id: "s", session_expiry: 1, __bk__zlib_: bomb.toString("base64url") }));
    expect(tokenErrorCode(() => parseToken(token))).toBe("malformed_token");
  });

  it("accept padding and the standard base64 alphabet, as Python does", () => {
    const json = '{"session_id": "s?>"}';
    expect(parseToken(Buffer.from(json).toString("base64")).session_id).toBe("s?>");
  });
});
