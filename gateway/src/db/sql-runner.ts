import type { DatabaseTarget } from "./database-url.ts";

/** A row as the drivers return it: column name → value. */
export type SqlRow = Record<string, unknown>;

/**
 * The little raw SQL the migrator needs, below Prisma: run a whole migration script (many statements), run one
 * parameterised statement, and hold the database's migration lock. One file per driver implements it
 * (`sqlite-runner.ts` over @libsql/client, `postgres-runner.ts` over pg); `createSqlRunner` picks one.
 * Deliberately not a query layer: everything else goes through the Prisma client.
 */
export interface SqlRunner {
  readonly provider: DatabaseTarget["provider"];
  /** Runs a script of several `;`-separated statements as written (no implicit transaction, like Prisma). */
  executeScript(sql: string): Promise<void>;
  /** Runs one statement with positional parameters (`?` for SQLite, `$1` for PostgreSQL). */
  query(sql: string, params?: unknown[]): Promise<SqlRow[]>;
  /** Runs `fn` while holding a lock other plothost processes migrating the same database wait for. */
  withMigrationLock<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
