import path from "node:path";

/**
 * Where plothost's accounts live, decided once from `DATABASE_URL` / `--database-url`: an SQLite file (the
 * embedded default, under the data directory) or PostgreSQL. For PostgreSQL, Prisma's `?schema=NAME` convention
 * picks the schema (default `public`); it is taken out of the URL because the `pg` driver does not know it.
 */
export type DatabaseTarget =
  | { readonly provider: "sqlite"; readonly url: string; readonly file: string }
  | { readonly provider: "postgres"; readonly connectionString: string; readonly schema: string };

/** Thrown for a URL plothost cannot use; the message says which forms work. */
export class DatabaseUrlError extends Error {
  constructor(url: string, why: string) {
    super(`DATABASE_URL "${redact(url)}" ${why}. Use file:PATH (SQLite) or postgresql://USER@HOST:PORT/DB[?schema=NAME].`);
    this.name = "DatabaseUrlError";
  }
}

/** The URL with any password replaced, for messages and logs. */
export function redact(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, "$1***@");
}

/** Parses a database URL; relative SQLite paths are resolved against `cwd`. */
export function parseDatabaseUrl(url: string, cwd = process.cwd()): DatabaseTarget {
  if (url.startsWith("file:")) {
    const rest = url.slice("file:".length).replace(/^\/\/(?=\/)/, "");
    if (rest === "" || rest.includes("?")) throw new DatabaseUrlError(url, "must name a file and nothing else");
    const file = path.resolve(cwd, rest);
    return { provider: "sqlite", url: `file:${file}`, file };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new DatabaseUrlError(url, "is not a valid URL");
    }
    const schema = parsed.searchParams.get("schema") ?? "public";
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new DatabaseUrlError(url, `has an invalid schema name "${schema}"`);
    parsed.searchParams.delete("schema");
    return { provider: "postgres", connectionString: parsed.toString(), schema };
  }
  throw new DatabaseUrlError(url, "has an unsupported scheme");
}
