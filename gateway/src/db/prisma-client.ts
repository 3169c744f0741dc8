import type { PrismaClient } from "../../../prisma/generated/sqlite/client.ts";
import type { DatabaseTarget } from "./database-url.ts";

/**
 * The Prisma client plothost's code uses. The SQLite and PostgreSQL clients are generated from schemas with the
 * same models, so they have the same shape; plothost types both as this one.
 */
export type Db = PrismaClient;

/** How long an SQLite statement waits for another process's write lock before failing. */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;

/**
 * The one place that picks a generated client and a driver adapter for a database (Prisma 7 with driver
 * adapters: no engine binary). Only the chosen provider's client is loaded.
 */
export async function createPrismaClient(target: DatabaseTarget): Promise<Db> {
  if (target.provider === "sqlite") {
    const [{ PrismaClient: SqliteClient }, { PrismaLibSql }] = await Promise.all([
      import("../../../prisma/generated/sqlite/client.ts"), import("@prisma/adapter-libsql"),
    ]);
    const client = new SqliteClient({ adapter: new PrismaLibSql({ url: target.url }) });
    // Several processes may share the file (`--num-procs`, `plothost admin` beside a running server): with WAL,
    // readers never wait for a writer (the journal mode is kept in the file), and a writer waits for another's lock.
    await client.$queryRawUnsafe("PRAGMA journal_mode = WAL");
    await client.$queryRawUnsafe(`PRAGMA busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    return client;
  }
  const [{ PrismaClient: PgClient }, { PrismaPg }] = await Promise.all([
    import("../../../prisma/generated/postgres/client.ts"), import("@prisma/adapter-pg"),
  ]);
  const adapter = new PrismaPg({ connectionString: target.connectionString }, { schema: target.schema });
  return new PgClient({ adapter }) as unknown as Db;
}
