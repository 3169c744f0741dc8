import { describe, expect, it } from "vitest";
import { checkPassword, checkUsername, usernameKey } from "../../../gateway/src/auth/credential-rules.ts";

describe("credential rules", () => {
  it("accepts usernames of letters, digits, . _ - up to 39 characters, starting with a letter or digit", () => {
    for (const ok of ["a", "Alice", "bob.smith", "x_1-2", "9lives", "a".repeat(39)]) expect(checkUsername(ok)).toBe(ok);
    for (const bad of ["", " alice", "al ice", ".alice", "-x", "a".repeat(40), "ünïcode", "a/b", 42, undefined]) {
      expect(() => checkUsername(bad), String(bad)).toThrow(expect.objectContaining({ code: "invalid_username", status: 400 }));
    }
  });

  it("keys usernames case-insensitively", () => {
    expect(usernameKey("AlIcE")).toBe(usernameKey("alice"));
  });

  it("wants passwords of 8+ characters, at most 72 bytes, not the username, and says so", () => {
    expect(checkPassword("eight ch", "bob")).toBe("eight ch");
    expect(checkPassword("ü".repeat(36), "bob")).toHaveLength(36); // 72 bytes
    for (const [bad, why] of [["", "no password"], ["       \t", "no password"], ["seven c", "too short"], ["ü".repeat(37), "too long"],
      ["BobBobBob", "same as the username"], [undefined, "no password"]] as const) {
      expect(() => checkPassword(bad, "bobbobbob")).toThrow(expect.objectContaining({ code: "weak_password", status: 400 }));
      expect(() => checkPassword(bad, "bobbobbob")).toThrow(new RegExp(`at least 8 characters.*${why}`));
    }
  });
});
