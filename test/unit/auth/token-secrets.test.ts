import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hashSecret, looksLikeToken, newSecret } from "../../../gateway/src/auth/token-secrets.ts";

describe("token secrets", () => {
  it("are pht_ + 32 random bytes in base64url, stored as their SHA-256, shown by a short prefix", () => {
    const a = newSecret();
    const b = newSecret();
    expect(a.secret).toMatch(/^pht_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.secret.slice(4), "base64url")).toHaveLength(32);
    expect(a.secret).not.toBe(b.secret);
    expect(a.hash).toBe(createHash("sha256").update(a.secret).digest("hex"));
    expect(hashSecret(a.secret)).toBe(a.hash);
    expect(a.prefix).toBe(a.secret.slice(0, 10));
    expect(a.hash).not.toContain(a.secret.slice(4, 20));
  });

  it("recognises the token shape before any lookup", () => {
    expect(looksLikeToken(newSecret().secret)).toBe(true);
    for (const bad of ["", "pht_short", `ghp_${"a".repeat(43)}`, `pht_${"a".repeat(44)}`, `pht_${"a".repeat(42)}!`]) expect(looksLikeToken(bad)).toBe(false);
  });
});
