import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../helpers/start-gateway.ts";
import { openDatabase, type Database } from "../../../gateway/src/db/open-database.ts";
import { PrismaAccountStore } from "../../../gateway/src/auth/prisma-account-store.ts";
import { DATABASES, type TestDatabase } from "../auth/auth-helpers.ts";

/** `queryAudit`, the admin console's read of the audit trail, on each database. */
describe.each(DATABASES)("audit queries on $kind", ({ make }) => {
  let database: TestDatabase;
  let opened: Database;
  let store: PrismaAccountStore;

  beforeAll(async () => {
    database = make();
    opened = await openDatabase(database.url, projectRoot);
    store = new PrismaAccountStore(opened.db);
    const at = new Date(1_000_000);
    const lines: Array<[string | null, string, string | null]> = [
      ["Ann", "user.create", "bob"], ["Ann", "user.disable", "bob"], [null, "login.failed", "bob"], ["bob", "login", "bob"],
      ["Ann", "doc.delete", "d1"], ["Ann", "user.role.admin", "cy"],
    ];
    for (const [actorName, action, target] of lines) await store.audit({ actorId: null, actorName, action, target, ip: "10.0.0.1", at });
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  const actions = (rows: Array<{ action: string }>) => rows.map((r) => r.action);

  it("filters by actor, exact action or a family, and target; newest first", async () => {
    expect(actions(await store.queryAudit({ limit: 10 }))).toEqual(["user.role.admin", "doc.delete", "login", "login.failed", "user.disable", "user.create"]);
    expect(actions(await store.queryAudit({ actor: "Ann", limit: 10 }))).toEqual(["user.role.admin", "doc.delete", "user.disable", "user.create"]);
    expect(actions(await store.queryAudit({ action: "user.", limit: 10 }))).toEqual(["user.role.admin", "user.disable", "user.create"]);
    expect(actions(await store.queryAudit({ action: "login", limit: 10 }))).toEqual(["login"]);
    expect(actions(await store.queryAudit({ action: "user.", target: "bob", actor: "Ann", limit: 10 }))).toEqual(["user.disable", "user.create"]);
  });

  it("pages with beforeId and limit", async () => {
    const first = await store.queryAudit({ limit: 4 });
    expect(first).toHaveLength(4);
    const rest = await store.queryAudit({ limit: 4, beforeId: first[3].id });
    expect(actions(rest)).toEqual(["user.disable", "user.create"]);
    expect(rest[0]).toMatchObject({ actorName: "Ann", target: "bob", ip: "10.0.0.1", at: new Date(1_000_000) });
  });
});
