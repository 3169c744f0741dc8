import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../helpers/start-gateway.ts";
import { openDatabase } from "../../../gateway/src/db/open-database.ts";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-cli-"));
const plothost = (args: string[], input = "") => spawnSync(process.execPath, [path.join(projectRoot, "bin", "plothost.js"), ...args], {
  input, encoding: "utf8", env: { PATH: process.env.PATH ?? "/usr/bin:/bin" }, timeout: 60_000,
});

describe("plothost admin (the real command)", () => {
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it("creates an admin from a password on stdin, into the data directory's database (migrating it first)", async () => {
    const run = plothost(["admin", "create", "Boss", "-D", dataDir, "--bcrypt-cost", "4"], "boss password\n");
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe("created admin Boss\n");
    expect(run.status).toBe(0);
    const db = await openDatabase(`file:${path.join(dataDir, "plothost.db")}`, projectRoot);
    try {
      const boss = await db.db.user.findUniqueOrThrow({ where: { usernameKey: "boss" } });
      expect(boss.role).toBe("admin");
      expect(boss.passwordHash).toMatch(/^\$2[aby]\$04\$/);
    } finally {
      await db.close();
    }
  });

  it("says why it refuses (exit 1), and how to use it (exit 2)", () => {
    const dup = plothost(["admin", "create", "boss", "-D", dataDir, "--bcrypt-cost", "4"], "another password\n");
    expect(dup.status).toBe(1);
    expect(dup.stderr).toMatch(/username is taken/);
    const usage = plothost(["admin", "promote", "boss"]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/Usage: plothost admin <create\|reset-password> USER/);
    const reset = plothost(["admin", "reset-password", "BOSS", "-D", dataDir, "--bcrypt-cost", "4"], "a new password\n");
    expect(reset.stdout).toMatch(/password of BOSS reset/);
    expect(reset.status).toBe(0);
  });
});
