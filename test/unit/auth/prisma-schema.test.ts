import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../../helpers/start-gateway.ts";
import { SNAPSHOT, latestMigration } from "../../../scripts/db-migration.ts";

const providers = ["sqlite", "postgres"] as const;
const schemaOf = (p: string) => fs.readFileSync(path.join(projectRoot, "prisma", p, "schema.prisma"), "utf8");
const models = (schema: string) => schema.slice(schema.indexOf("// ---- models"));

describe("prisma/ schemas, migrations and the committed clients", () => {
  it("the SQLite and PostgreSQL schemas have the same models", () => {
    expect(models(schemaOf("sqlite")).length).toBeGreaterThan(500);
    expect(models(schemaOf("postgres"))).toBe(models(schemaOf("sqlite")));
  });

  it("every schema change has a migration (the newest migration's snapshot is the current schema)", () => {
    for (const p of providers) {
      const latest = latestMigration(path.join(projectRoot, "prisma", p, "migrations"));
      expect(latest, p).not.toBeNull();
      expect(fs.readFileSync(path.join(latest!, SNAPSHOT), "utf8"), `${p}: run \`npm run db:migration -- NAME\``).toBe(schemaOf(p));
    }
  });

  it("the committed Prisma clients are generated from the current schemas", () => {
    // Generate into a scratch copy of the layout (inside the project, so @prisma/client resolves): the schema's
    // relative output path and the inlined schema text then come out exactly as in the committed clients.
    const cache = path.join(projectRoot, "node_modules", ".cache");
    fs.mkdirSync(cache, { recursive: true });
    const tmp = fs.mkdtempSync(path.join(cache, "plothost-gen-"));
    try {
      for (const p of providers) {
        const schemaFile = path.join(tmp, "prisma", p, "schema.prisma");
        fs.mkdirSync(path.dirname(schemaFile), { recursive: true });
        fs.writeFileSync(schemaFile, schemaOf(p));
        execFileSync(path.join(projectRoot, "node_modules", ".bin", "prisma"), ["generate", "--schema", schemaFile], {
          cwd: projectRoot, env: { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: "/bin/false", CHECKPOINT_DISABLE: "1", PRISMA_HIDE_UPDATE_MESSAGE: "1" }, stdio: "pipe",
        });
        const fresh = path.join(tmp, "prisma", "generated", p);
        const committed = path.join(projectRoot, "prisma", "generated", p);
        const files = (dir: string) => (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith(".ts")).sort();
        expect(files(fresh), p).toEqual(files(committed));
        for (const f of files(committed)) {
          expect(fs.readFileSync(path.join(fresh, f), "utf8"), `${p}/${f}: run \`npm run db:generate\``).toBe(fs.readFileSync(path.join(committed, f), "utf8"));
        }
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
