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

  it("reuses a user's header while half its lifetime is left, then signs a fresh one (one signature per 30 s)", () => {
    const s = createUserHeaderSigner();
    const v = new UserHeaderVerifier(s.publicKey);
    const first = s.sign({ name: "bob", role: "user" }, now);
    expect(s.sign({ name: "bob", role: "user" }, now + USER_HEADER_TTL_S / 2)).toBe(first);
    expect(s.sign({ name: "bob", role: "admin" }, now)).not.toBe(first); // keyed by role too
    expect(s.sign({ name: "carol", role: "user" }, now)).not.toBe(first);
    const fresh = s.sign({ name: "bob", role: "user" }, now + USER_HEADER_TTL_S / 2 + 1);
    expect(fresh).not.toBe(first);
    expect(v.verify(fresh, now + USER_HEADER_TTL_S + 1)).toEqual({ name: "bob", role: "user" });
    // A reused header still expires TTL after it was made, never later.
    expect(() => v.verify(first, now + USER_HEADER_TTL_S + 1)).toThrow(/expired/);
  });

  it("remembers a verified header by its exact text, and still refuses it once expired", () => {
    const v = new UserHeaderVerifier(signer.publicKey);
    const header = signer.sign({ name: "dave", role: "user" }, now);
    const user = v.verify(header, now);
    expect(v.verify(header, now + 1)).toBe(user); // the same object: no second signature check
    expect(() => v.verify(header, now + USER_HEADER_TTL_S + 1)).toThrow(/expired/);
    const [ver, payload, sig] = header.split(".");
    const forged = `${sig.slice(0, 10)}${sig[10] === "A" ? "B" : "A"}${sig.slice(11)}`;
    expect(() => v.verify(`${ver}.${payload}.${forged}`, now)).toThrow(/bad signature/);
  });

  it("gives workers nothing that could sign: the public key does not verify as a signer's secret", () => {
    expect(signer.publicKey).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(signer.publicKey, "base64url").length).toBe(44); // Ed25519 SPKI: public part only
  });
});

describe("the user-header key shared by gateway processes", () => {
  it("is made once in the data directory (0600) and the same for every process using it", async () => {
    const fs = await import("node:fs");
    const os = await import("node:os");
    const path = await import("node:path");
    const { loadOrCreateUserHeaderKey } = await import("../../../gateway/src/auth/user-header-key.ts");
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "uhk-"));
    try {
      const first = createUserHeaderSigner(loadOrCreateUserHeaderKey(dataDir));
      const second = createUserHeaderSigner(loadOrCreateUserHeaderKey(dataDir));
      expect(second.publicKey).toBe(first.publicKey);
      expect(fs.statSync(path.join(dataDir, "keys", "user-header.pem")).mode & 0o777).toBe(0o600);
      // A header signed by one process is accepted by a worker another process started.
      expect(new UserHeaderVerifier(first.publicKey).verify(second.sign({ name: "ana", role: "user" }))).toMatchObject({ name: "ana" });
      expect(createUserHeaderSigner().publicKey).not.toBe(first.publicKey);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
