/**
 * Prisma's schema engine, offline: the WebAssembly build from npm (`@prisma/schema-engine-wasm`, a dev
 * dependency) driven through a Prisma driver adapter. Prisma 7's CLI would download a native engine instead,
 * which these machines cannot. Used by `scripts/db-migration.ts` (to write migration SQL) and by the tests that
 * check plothost's own migrator keeps the bookkeeping Prisma's CLI expects. Never loaded by the gateway.
 */
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import * as bg from "@prisma/schema-engine-wasm/schema_engine_bg";
import type { MigrationList, SchemaEngine } from "@prisma/schema-engine-wasm";
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaLibSql } from "@prisma/adapter-libsql";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

export type Provider = "sqlite" | "postgres";

let initialised = false;

function initWasm(): void {
  if (initialised) return;
  const require = createRequire(import.meta.url);
  const wasmFile = require.resolve("@prisma/schema-engine-wasm").replace(/schema_engine\.js$/, "schema_engine_bg.wasm");
  const module = new WebAssembly.Module(fs.readFileSync(wasmFile));
  const instance = new WebAssembly.Instance(module, { "./schema_engine_bg.js": bg as unknown as WebAssembly.ModuleImports });
  (bg as unknown as { __wbg_set_wasm(e: WebAssembly.Exports): void }).__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
  initialised = true;
}

/**
 * The adapter factory for a database (SQLite file or `:memory:`, or PostgreSQL with an optional schema) and how
 * to let go of its connections. For PostgreSQL the pool is ours, so `close` can end it: the engine's own
 * migrations hold Prisma's advisory lock on a pooled connection until that connection goes.
 */
function adapterFactory(provider: Provider, target: { url: string; schema?: string }): { factory: SqlMigrationAwareDriverAdapterFactory; close(): Promise<void> } {
  if (provider === "sqlite") return { factory: new PrismaLibSql({ url: target.url }), close: async () => {} };
  // The engine takes the schema from the connection's search_path; the adapter's `schema` option alone is ignored.
  const pool = new pg.Pool({ connectionString: target.url, ...(target.schema ? { options: `-c search_path="${target.schema}"` } : {}) });
  return { factory: new PrismaPg(pool, target.schema ? { schema: target.schema } : undefined), close: () => pool.end() };
}

/** An engine and how to release it (wasm memory and database connections). */
export interface SchemaEngineHandle {
  readonly engine: SchemaEngine;
  close(): Promise<void>;
}

/**
 * Opens a schema engine for `schema` (the text of a schema.prisma) against a database. For diffs between
 * schemas the database is never touched, but the engine still needs an adapter of the right provider.
 */
export async function openSchemaEngine(
  provider: Provider, schema: string, target: { url: string; schema?: string },
  onLog: (line: string) => void = () => {},
): Promise<SchemaEngineHandle> {
  initWasm();
  const { factory, close } = adapterFactory(provider, target);
  const engine = await (bg as unknown as { SchemaEngine: typeof SchemaEngine }).SchemaEngine.new(
    { datamodels: [["schema.prisma", schema]] }, onLog, bindMigrationAwareSqlAdapterFactory(factory),
  );
  return {
    engine,
    close: async () => {
      engine.free();
      await close();
    },
  };
}

/** The SQL that takes a database from schema `from` (null = empty) to schema `to`, as Prisma's CLI prints it. */
export async function diffSchemas(engine: SchemaEngine, from: string | null, to: string): Promise<string> {
  const result = await engine.diff({
    from: from === null ? { tag: "empty" } : { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: from }] },
    to: { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: to }] },
    script: true,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  });
  return result.stdout ?? "";
}

/** A provider's migrations folder in the shape the engine's applyMigrations/diagnoseMigrationHistory take. */
export function migrationList(migrationsDir: string): MigrationList {
  const dirs = fs.readdirSync(migrationsDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  const lock = path.join(migrationsDir, "migration_lock.toml");
  return {
    baseDir: migrationsDir,
    lockfile: { path: "migration_lock.toml", content: fs.existsSync(lock) ? fs.readFileSync(lock, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories: dirs.map((d) => ({
      path: d,
      migrationFile: { path: "migration.sql", content: { tag: "ok", value: fs.readFileSync(path.join(migrationsDir, d, "migration.sql"), "utf8") } },
    })),
  };
}
