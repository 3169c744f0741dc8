import fs from "node:fs";
import path from "node:path";
import { createHash, randomUUID } from "node:crypto";
import type { SqlRunner } from "./sql-runner.ts";

/** What a migration run did; `warnings` are for the caller to log (edited or unknown migrations). */
export interface MigrationResult {
  readonly applied: readonly string[];
  readonly warnings: readonly string[];
}

/** A migration recorded as started but never finished: the database needs a human before plothost starts. */
export class FailedMigrationError extends Error {
  constructor(readonly migration: string, logs: string | null) {
    super(`database migration ${migration} failed earlier${logs ? ` (${logs.split("\n")[0]})` : ""}. Fix the database by hand, ` +
      `then delete that row from _prisma_migrations (or run \`prisma migrate resolve\` where Prisma's CLI works) and start again.`);
    this.name = "FailedMigrationError";
  }
}

const TABLE = {
  sqlite: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`,
  postgres: `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`,
} as const;

/**
 * Applies the committed migrations (`<dir>/<timestamp>_<name>/migration.sql`, in name order) that the database
 * has not seen, the way `prisma migrate deploy` does, and keeps Prisma's `_prisma_migrations` bookkeeping
 * (same table, SHA-256 checksums, timestamps) so Prisma's CLI agrees on a machine where it runs. Like Prisma,
 * a script is not wrapped in a transaction (SQLite table redefinitions need `PRAGMA foreign_keys=OFF`, which
 * a transaction ignores); a failed script is recorded and stops every later start until resolved.
 */
export async function applyMigrations(runner: SqlRunner, migrationsDir: string, now: () => Date = () => new Date()): Promise<MigrationResult> {
  const p = (i: number) => (runner.provider === "sqlite" ? `?${i}` : `$${i}`);
  const time = (d: Date): unknown => (runner.provider === "sqlite" ? d.toISOString().replace("Z", "+00:00") : d);
  const local = fs.readdirSync(migrationsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(migrationsDir, d.name, "migration.sql")))
    .map((d) => d.name).sort();

  return runner.withMigrationLock(async () => {
    await runner.executeScript(TABLE[runner.provider]);
    const rows = await runner.query(`SELECT "migration_name", "checksum", "finished_at", "rolled_back_at", "logs" FROM "_prisma_migrations" ORDER BY "started_at"`);
    const failed = rows.find((r) => r.finished_at === null && r.rolled_back_at === null);
    if (failed) throw new FailedMigrationError(String(failed.migration_name), (failed.logs as string | null) ?? null);
    const done = new Map(rows.filter((r) => r.finished_at !== null && r.rolled_back_at === null).map((r) => [String(r.migration_name), String(r.checksum)]));
    const warnings: string[] = [];
    for (const name of done.keys()) {
      if (!local.includes(name)) warnings.push(`the database has migration ${name}, which this version of plothost does not know (was it started by a newer version?)`);
    }
    const applied: string[] = [];
    for (const name of local) {
      const script = fs.readFileSync(path.join(migrationsDir, name, "migration.sql"), "utf8");
      const checksum = createHash("sha256").update(script).digest("hex");
      if (done.has(name)) {
        if (done.get(name) !== checksum) warnings.push(`migration ${name} was edited after it was applied to this database; the edit is not applied`);
        continue;
      }
      const id = randomUUID();
      await runner.query(`INSERT INTO "_prisma_migrations" ("id", "checksum", "migration_name", "started_at", "applied_steps_count") VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, 0)`,
        [id, checksum, name, time(now())]);
      try {
        await runner.executeScript(script);
      } catch (err) {
        await runner.query(`UPDATE "_prisma_migrations" SET "logs" = ${p(1)} WHERE "id" = ${p(2)}`, [String((err as Error).message ?? err), id]);
        throw new FailedMigrationError(name, (err as Error).message ?? String(err));
      }
      await runner.query(`UPDATE "_prisma_migrations" SET "finished_at" = ${p(1)}, "applied_steps_count" = 1 WHERE "id" = ${p(2)}`, [time(now()), id]);
      applied.push(name);
    }
    return { applied, warnings };
  });
}
