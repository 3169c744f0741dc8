import type { DatabaseTarget } from "./database-url.ts";
import type { SqlRunner } from "./sql-runner.ts";
import { SqliteRunner } from "./sqlite-runner.ts";
import { PostgresRunner } from "./postgres-runner.ts";

/** The one place that picks a raw SQL driver for a database. */
export function createSqlRunner(target: DatabaseTarget): SqlRunner {
  return target.provider === "sqlite" ? new SqliteRunner(target.file) : new PostgresRunner(target.connectionString, target.schema);
}
