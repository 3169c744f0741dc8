import fs from "node:fs";
import path from "node:path";
import { createClient, type Client, type InValue } from "@libsql/client";
import type { SqlRow, SqlRunner } from "./sql-runner.ts";

/**
 * SqlRunner over an SQLite file through @libsql/client (no native build). The file's directory is created if
 * needed. Deliberately no cross-process migration lock: an SQLite file belongs to one gateway (its data
 * directory), so two processes never migrate it at the same moment.
 */
export class SqliteRunner implements SqlRunner {
  readonly provider = "sqlite" as const;
  private readonly client: Client;

  constructor(file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.client = createClient({ url: `file:${file}` });
  }

  async executeScript(sql: string): Promise<void> {
    await this.client.executeMultiple(sql);
  }

  async query(sql: string, params: unknown[] = []): Promise<SqlRow[]> {
    const rs = await this.client.execute({ sql, args: params as InValue[] });
    return rs.rows.map((r) => Object.fromEntries(rs.columns.map((c, i) => [c, r[i]])));
  }

  async withMigrationLock<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  async close(): Promise<void> {
    this.client.close();
  }
}
