import { describe, expect, it } from "vitest";
import { DatabaseUrlError, parseDatabaseUrl, redact } from "../../../gateway/src/db/database-url.ts";

describe("database URLs", () => {
  it("reads SQLite files, resolving relative paths", () => {
    expect(parseDatabaseUrl("file:/var/lib/plothost/a.db")).toEqual({ provider: "sqlite", url: "file:/var/lib/plothost/a.db", file: "/var/lib/plothost/a.db" });
    expect(parseDatabaseUrl("file:./x/a.db", "/srv")).toMatchObject({ file: "/srv/x/a.db" });
    expect(parseDatabaseUrl("file:///abs/a.db")).toMatchObject({ file: "/abs/a.db" });
  });

  it("reads PostgreSQL URLs, taking Prisma's ?schema= out for the driver", () => {
    expect(parseDatabaseUrl("postgresql://u:p@db:5432/plothost?schema=tenant_1&sslmode=require")).toEqual({
      provider: "postgres", connectionString: "postgresql://u:p@db:5432/plothost?sslmode=require", schema: "tenant_1",
    });
    expect(parseDatabaseUrl("postgres://db/plothost")).toMatchObject({ schema: "public" });
  });

  it("refuses other schemes and bad schema names, without printing passwords", () => {
    expect(() => parseDatabaseUrl("mysql://u:secret@db/x")).toThrow(DatabaseUrlError);
    expect(() => parseDatabaseUrl("mysql://u:secret@db/x")).not.toThrow(/secret/);
    expect(() => parseDatabaseUrl("postgresql://db/x?schema=a;drop")).toThrow(/invalid schema name/);
    expect(() => parseDatabaseUrl("file:")).toThrow(DatabaseUrlError);
    expect(redact("postgresql://me:hunter2@db/x")).toBe("postgresql://me:***@db/x");
  });
});
