import pg from "pg";
import type { SqlRow, SqlRunner } from "./sql-runner.ts";

/** The advisory lock key Prisma's own migrate uses, so plothost and Prisma's CLI never migrate at once. */
const PRISMA_MIGRATE_LOCK = 72707369;

/**
 * SqlRunner over one PostgreSQL connection (pg). Everything runs in `schema`, which is created when missing;
 * `search_path` is set so Prisma's unqualified migration SQL lands there.
 */
export class PostgresRunner implements SqlRunner {
  readonly provider = "postgres" as const;
  private readonly client: pg.Client;
  private connected: Promise<void> | null = null;

  constructor(connectionString: string, private readonly schema: string) {
    this.client = new pg.Client({ connectionString });
  }

  private connect(): Promise<void> {
    this.connected ??= (async () => {
      await this.client.connect();
      const s = `"${this.schema}"`;
      await this.client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
      await this.client.query(`SET search_path TO ${s}`);
    })();
    return this.connected;
  }

  async executeScript(sql: string): Promise<void> {
    await this.connect();
    await this.client.query(sql);
  }

  async query(sql: string, params: unknown[] = []): Promise<SqlRow[]> {
    await this.connect();
    return (await this.client.query(sql, params)).rows as SqlRow[];
  }

  async withMigrationLock<T>(fn: () => Promise<T>): Promise<T> {
    await this.connect();
    await this.client.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK]);
    try {
      return await fn();
    } finally {
      await this.client.query("SELECT pg_advisory_unlock($1)", [PRISMA_MIGRATE_LOCK]);
    }
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
