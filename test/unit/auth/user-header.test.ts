import { describe, expect, it } from "vitest";
import { USER_HEADER_TTL_S, UserHeaderVerifier, createUserHeaderSigner } from "../../../shared/auth/user-header.ts";

describe("the signed user header", () => {
  const signer = createUserHeaderSigner();
  const verifier = new UserHeaderVerifier(signer.publicKey);
  const now = 2_000_000_000;

  it("round-trips a user, verified with the public key alone", () => {
    const header = signer.sign({ name: "alice", role: "admin" }, now);
    expect(verifier.verify(header, now)).toEqual({ name: "alice", role: "admin" });
    expect(verifier.verify(header, now + USER_HEADER_TTL_S)).toEqual({ name: "alice", role: "admin" });
  });

  it("is absent → null; tampered, foreign, expired or malformed → an error", () => {
    expect(verifier.verify(undefined, now)).toBeNull();
    expect(verifier.verify("", now)).toBeNull();
    const header = signer.sign({ name: "alice", role: "user" }, now);
    const [v, , sig] = header.split(".");
    const promoted = `${v}.${Buffer.from(JSON.stringify({ name: "alice", role: "admin", exp: now + 60 })).toString("base64url")}.${sig}`;
    expect(() => verifier.verify(promoted, now)).toThrow(/bad signature/);
    expect(() => verifier.verify(createUserHeaderSigner().sign({ name: "alice", role: "admin" }, now), now)).toThrow(/bad signature/);
    expect(() => verifier.verify(header, now + USER_HEADER_TTL_S + 1)).toThrow(/expired/);
    expect(() => verifier.verify("v1.abc", now)).toThrow(/malformed/);
    expect(() => verifier.verify([header, header], now)).toThrow(/more than one/);
  });

  it("gives workers nothing that could sign: the public key does not verify as a signer's secret", () => {
    expect(signer.publicKey).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(signer.publicKey, "base64url").length).toBe(44); // Ed25519 SPKI: public part only
  });
});
