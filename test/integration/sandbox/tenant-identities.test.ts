// Per-app uids: one per app, stable across restarts, from the configured range, each with a private home.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TenantIdentities } from "../../../gateway/src/sandbox/tenant-identities.ts";
import { TempDirs } from "./sandbox-harness.ts";

const temp = new TempDirs();
afterEach(() => temp.cleanup());

describe("tenant identities", () => {
  it("gives each app its own uid (gid alike) from the range, and the same one after a restart", () => {
    const dir = path.join(temp.make("tenants"), "sandbox");
    const first = new TenantIdentities({ dir, first: 200_000, count: 10 });
    const a = first.identityFor("/alpha");
    const b = first.identityFor("/beta");
    expect([a.uid, a.gid, b.uid, b.gid]).toEqual([200_000, 200_000, 200_001, 200_001]);
    expect(first.identityFor("/alpha")).toEqual(a);
    // A new gateway on the same data directory: same ids, whatever order the apps come in.
    const again = new TenantIdentities({ dir, first: 200_000, count: 10 });
    expect(again.identityFor("/beta")).toEqual(b);
    expect(again.identityFor("/alpha")).toEqual(a);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "tenants.json"), "utf8"))).toEqual({ version: 1, uids: { "/alpha": 200_000, "/beta": 200_001 } });
    expect(fs.statSync(path.join(dir, "tenants.json")).mode & 0o777).toBe(0o600);
  });

  it("makes a private home per app: 0700, in a homes dir that can be entered but not listed", () => {
    const dir = path.join(temp.make("tenants"), "sandbox");
    const { home, uid } = new TenantIdentities({ dir, first: 300_000, count: 5 }).identityFor("/alpha");
    expect(home).toBe(path.join(dir, "homes", String(uid)));
    expect(fs.statSync(home).mode & 0o777).toBe(0o700);
    expect(fs.statSync(path.dirname(home)).mode & 0o777).toBe(0o711);
  });

  it("moves an app whose uid fell outside a changed range, and says so when the range is used up", () => {
    const dir = path.join(temp.make("tenants"), "sandbox");
    new TenantIdentities({ dir, first: 200_000, count: 2 }).identityFor("/alpha");
    const narrowed = new TenantIdentities({ dir, first: 400_000, count: 1 });
    expect(narrowed.identityFor("/alpha").uid).toBe(400_000);
    expect(() => narrowed.identityFor("/beta")).toThrow(/no free uid left in 400000-400000 for app \/beta: widen --worker-uid-range/);
  });

  it("refuses to guess when the allocation file is damaged (handing out a uid twice would merge tenants)", () => {
    const dir = path.join(temp.make("tenants"), "sandbox");
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "tenants.json"), "{not json");
    expect(() => new TenantIdentities({ dir, first: 200_000, count: 2 }).identityFor("/alpha")).toThrow(/cannot read .*tenants\.json/);
  });
});
