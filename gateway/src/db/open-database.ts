import path from "node:path";
import { parseDatabaseUrl, type DatabaseTarget } from "./database-url.ts";
import { createSqlRunner } from "./create-sql-runner.ts";
import { applyMigrations, type MigrationResult } from "./migrator.ts";
import { createPrismaClient, type Db } from "./prisma-client.ts";

/** An open, migrated database. `close()` disconnects the client. */
export interface Database {
  readonly db: Db;
  readonly target: DatabaseTarget;
  readonly migrations: MigrationResult;
  close(): Promise<void>;
}

/**
 * Opens the accounts database named by `url`: applies the committed migrations for its provider
 * (`<projectRoot>/prisma/<provider>/migrations`), then connects the Prisma client. A fresh database needs no
 * manual step.
 */
export async function openDatabase(url: string, projectRoot: string): Promise<Database> {
  const target = parseDatabaseUrl(url);
  const runner = createSqlRunner(target);
  let migrations: MigrationResult;
  try {
    migrations = await applyMigrations(runner, path.join(projectRoot, "prisma", target.provider, "migrations"));
  } finally {
    await runner.close();
  }
  const db = await createPrismaClient(target);
  return { db, target, migrations, close: () => db.$disconnect() };
}
