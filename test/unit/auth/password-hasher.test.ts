import bcrypt from "bcrypt";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PasswordHasher } from "../../../gateway/src/auth/password-hasher.ts";

describe("PasswordHasher", () => {
  afterEach(() => vi.restoreAllMocks());

  it("hashes with bcrypt at the configured cost and verifies", async () => {
    const h = new PasswordHasher(5);
    const hash = await h.hash("a good password");
    expect(hash).toMatch(/^\$2[aby]\$05\$/);
    expect(await h.verify("a good password", hash)).toBe(true);
    expect(await h.verify("a good passwore", hash)).toBe(false);
  });

  it("runs a full bcrypt comparison even when there is no user, so timing reveals nothing", async () => {
    const h = new PasswordHasher(4);
    const compare = vi.spyOn(bcrypt, "compare");
    expect(await h.verify("whatever it is", null)).toBe(false);
    expect(compare).toHaveBeenCalledTimes(1);
    const [, dummy] = compare.mock.calls[0] as unknown as [string, string];
    expect(dummy).toMatch(/^\$2[aby]\$04\$/); // a real hash of the same cost
  });

  it("never accepts a password longer than bcrypt reads (72 bytes), even if its first 72 bytes match", async () => {
    const h = new PasswordHasher(4);
    const base = "p".repeat(72);
    const hash = await h.hash(base);
    expect(await h.verify(base, hash)).toBe(true);
    expect(await h.verify(`${base}extra`, hash)).toBe(false);
  });
});
