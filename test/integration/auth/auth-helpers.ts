/**
 * Helpers for the accounts tests: the two databases every rule runs against (a real SQLite file, and the real
 * PostgreSQL on 127.0.0.1:5432 in a schema of its own, dropped afterwards), and a tiny cookie-keeping client.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * The PostgreSQL the tests use: `PLOTHOST_TEST_PG_URL`, else `DATABASE_URL` when it is PostgreSQL, else the local
 * `test` database. No silent skip: a missing PostgreSQL fails these tests (`scripts/ensure-system-deps.sh`
 * starts it).
 */
export const PG_URL = process.env.PLOTHOST_TEST_PG_URL
  ?? (/^postgres(ql)?:/.test(process.env.DATABASE_URL ?? "") ? process.env.DATABASE_URL! : "postgresql://postgres@127.0.0.1:5432/test");

/** One database for one test file: its URL and how to remove it. */
export interface TestDatabase {
  readonly kind: "sqlite" | "postgres";
  readonly url: string;
  drop(): Promise<void>;
}

export function sqliteDatabase(): TestDatabase {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-db-"));
  return { kind: "sqlite", url: `file:${path.join(dir, "accounts.db")}`, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export function postgresDatabase(): TestDatabase {
  const schema = `plothost_test_${randomBytes(6).toString("hex")}`;
  const url = new URL(PG_URL);
  url.searchParams.set("schema", schema);
  return {
    kind: "postgres",
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Both databases, for `describe.each`. */
export const DATABASES = [
  { kind: "sqlite", make: sqliteDatabase },
  { kind: "postgres", make: postgresDatabase },
] as const;

/** A response with its parsed JSON body (or text) for assertions. */
export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: any;
  readonly text: string;
}

/**
 * A browser-ish HTTP client: keeps cookies between requests, sends JSON, never follows redirects (tests look at
 * them). `bearer` sends `Authorization: Bearer ...` instead of relying on cookies.
 */
export class TestClient {
  readonly cookies = new Map<string, string>();

  constructor(readonly base: string, private readonly opts: { bearer?: string; headers?: Record<string, string> } = {}) {}

  withBearer(token: string): TestClient {
    return new TestClient(this.base, { ...this.opts, bearer: token });
  }

  async request(method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> {
    const h: Record<string, string> = { ...this.opts.headers, ...headers };
    if (this.cookies.size > 0) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (this.opts.bearer) h.authorization = `Bearer ${this.opts.bearer}`;
    let payload: string | undefined;
    if (body instanceof URLSearchParams) {
      h["content-type"] = "application/x-www-form-urlencoded";
      payload = body.toString();
    } else if (body !== undefined) {
      h["content-type"] ??= "application/json";
      payload = JSON.stringify(body);
    }
    const res = await fetch(`${this.base}${p}`, { method, headers: h, body: payload, redirect: "manual" });
    for (const c of res.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === "" || attrs.some((a) => a.trim().toLowerCase() === "max-age=0")) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get("content-type") ?? "").includes("json") && text !== "") parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  get(p: string, headers?: Record<string, string>) {
    return this.request("GET", p, undefined, headers);
  }

  post(p: string, body?: unknown, headers?: Record<string, string>) {
    return this.request("POST", p, body, headers);
  }

  /** The `plothost_csrf` cookie, fetched from the login page when the client has none yet. */
  async csrf(): Promise<string> {
    if (!this.cookies.has("plothost_csrf")) await this.get("/login");
    return this.cookies.get("plothost_csrf") ?? "";
  }
}
