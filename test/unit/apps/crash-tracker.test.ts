import { describe, expect, it } from "vitest";
import { CrashTracker } from "../../../gateway/src/apps/crash-tracker.ts";

describe("crash tracking", () => {
  it("backs off exponentially within the window and marks the app crashed at the limit", () => {
    let now = 0;
    const t = new CrashTracker({ limit: 5, windowMs: 300_000, backoffMs: 1000, backoffMaxMs: 60_000 }, () => now);
    expect([t.record(), t.record(), t.record(), t.record()]).toEqual([1000, 2000, 4000, 8000]);
    expect(t.crashed).toBe(false);
    expect(t.record()).toBeNull();
    expect(t.crashed).toBe(true);
    t.reset();
    expect(t.crashed).toBe(false);
    expect(t.record()).toBe(1000);
    now += 300_001; // crashes older than the window no longer count
    expect(t.record()).toBe(1000);
  });
});
