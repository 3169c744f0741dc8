import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { projectRoot } from "../../helpers/start-gateway.ts";
import { parseDatabaseUrl } from "../../../gateway/src/db/database-url.ts";
import { createSqlRunner } from "../../../gateway/src/db/create-sql-runner.ts";
import { applyMigrations, FailedMigrationError } from "../../../gateway/src/db/migrator.ts";
import { openDatabase } from "../../../gateway/src/db/open-database.ts";
import type { SqlRunner } from "../../../gateway/src/db/sql-runner.ts";
import { migrationList, openSchemaEngine } from "../../../scripts/prisma-schema-engine.ts";
import { DATABASES, type TestDatabase } from "./auth-helpers.ts";

const filters = { externalTables: [], externalEnums: [] };

describe.each(DATABASES)("migrations on $kind", ({ kind, make }) => {
  const provider = kind;
  const migrationsDir = path.join(projectRoot, "prisma", provider, "migrations");
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  afterAll(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  const fresh = (): { db: TestDatabase; runner: SqlRunner } => {
    const db = make();
    const runner = createSqlRunner(parseDatabaseUrl(db.url));
    cleanups.push(() => db.drop(), () => runner.close());
    return { db, runner };
  };
  /** A copy of the committed migrations plus extra ones, for failure cases. */
  const migrationsWith = (extra: Record<string, string>): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-migrations-"));
    fs.cpSync(migrationsDir, dir, { recursive: true });
    for (const [name, sql] of Object.entries(extra)) {
      fs.mkdirSync(path.join(dir, name));
      fs.writeFileSync(path.join(dir, name, "migration.sql"), sql);
    }
    cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
    return dir;
  };

  it("applies the committed migrations to an empty database once", async () => {
    const { runner } = fresh();
    const first = await applyMigrations(runner, migrationsDir);
    expect(first.applied.length).toBeGreaterThan(0);
    expect(first.warnings).toEqual([]);
    expect(await applyMigrations(runner, migrationsDir)).toEqual({ applied: [], warnings: [] });
  });

  it("keeps the bookkeeping Prisma's own migrate expects, and leaves no drift from schema.prisma", async () => {
    const { db, runner } = fresh();
    await applyMigrations(runner, migrationsDir);
    const target = parseDatabaseUrl(db.url);
    const schema = fs.readFileSync(path.join(projectRoot, "prisma", provider, "schema.prisma"), "utf8");
    const { engine, close } = await openSchemaEngine(provider, schema, target.provider === "sqlite"
      ? { url: target.url } : { url: target.connectionString, schema: target.schema });
    try {
      const diagnosis = await engine.diagnoseMigrationHistory({ migrationsList: migrationList(migrationsDir), optInToShadowDatabase: false, filters });
      expect(diagnosis).toEqual({ editedMigrationNames: [], failedMigrationNames: [], hasMigrationsTable: true, history: null });
      const applied = await engine.applyMigrations({ migrationsList: migrationList(migrationsDir), filters });
      expect(applied.appliedMigrationNames).toEqual([]); // Prisma sees nothing left to do
      // and the database the migrations built is exactly what schema.prisma describes (checked on SQLite: the
      // wasm engine cannot introspect PostgreSQL through adapter-pg, it fails on the catalogue's "char" columns)
      if (provider !== "sqlite") return;
      const drift = () => engine.diff({
        from: { tag: "schemaDatasource", files: [{ path: "schema.prisma", content: schema }], configDir: projectRoot },
        to: { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: schema }] },
        script: true, exitCode: true, filters,
      });
      expect(await drift()).toEqual({ exitCode: 0, stdout: "-- This is an empty migration.\n" });
      await runner.executeScript(`CREATE INDEX "Extra_idx" ON "User"("role")`);
      expect((await drift()).exitCode).toBe(2); // the check does see drift
    } finally {
      await close();
    }
  });

  it("records a failing migration and refuses to start until someone resolves it", async () => {
    const { runner } = fresh();
    const dir = migrationsWith({ "29991231000000_broken": "CREATE TABLE \"Oops\" (\"id\" INTEGER);\nTHIS IS NOT SQL;\n" });
    await expect(applyMigrations(runner, dir)).rejects.toBeInstanceOf(FailedMigrationError);
    const rows = await runner.query(`SELECT "migration_name", "finished_at", "logs" FROM "_prisma_migrations" WHERE "migration_name" = '29991231000000_broken'`);
    expect(rows).toHaveLength(1);
    expect(rows[0].finished_at).toBeNull();
    expect(String(rows[0].logs)).toMatch(/syntax error|THIS/i);
    await expect(applyMigrations(runner, dir)).rejects.toThrow(/29991231000000_broken failed earlier[\s\S]*_prisma_migrations/);
  });

  it("warns about a migration edited after it was applied, and about migrations it does not know", async () => {
    const { runner } = fresh();
    const dir = migrationsWith({ "29991231000000_extra": "CREATE TABLE \"Extra\" (\"id\" INTEGER);\n" });
    await applyMigrations(runner, dir);
    fs.appendFileSync(path.join(dir, "29991231000000_extra", "migration.sql"), "-- edited\n");
    expect((await applyMigrations(runner, dir)).warnings).toEqual([expect.stringMatching(/29991231000000_extra was edited/)]);
    expect((await applyMigrations(runner, migrationsDir)).warnings).toEqual([expect.stringMatching(/29991231000000_extra, which this version of plothost does not know/)]);
  });

  it("openDatabase migrates and connects the Prisma client in one step", async () => {
    const db = make();
    cleanups.push(() => db.drop());
    const opened = await openDatabase(db.url, projectRoot);
    cleanups.push(() => opened.close());
    expect(opened.target.provider).toBe(provider);
    expect(opened.migrations.applied.length).toBeGreaterThan(0);
    expect(await opened.db.user.count()).toBe(0);
    if (provider === "sqlite") {
      // Shared by several processes (--num-procs): readers never wait for a writer, writers wait for each other.
      expect(await opened.db.$queryRawUnsafe("PRAGMA journal_mode")).toEqual([{ journal_mode: "wal" }]);
      expect(await opened.db.$queryRawUnsafe("PRAGMA busy_timeout")).toEqual([{ timeout: 10_000 }]);
    }
  });
});
