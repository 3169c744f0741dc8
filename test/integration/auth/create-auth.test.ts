import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseGatewayConfig } from "../../../shared/config/index.ts";
import { createLogger } from "../../../shared/logging/create-logger.ts";
import { createAuth } from "../../../gateway/src/auth/create-auth.ts";
import { projectRoot } from "../../helpers/start-gateway.ts";

/** createAuth with a logger whose lines the test can read. */
async function authWith(args: string[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-auth-"));
  const lines: Array<{ level: number; msg: string; migrationsApplied?: string[] }> = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      for (const l of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  const auth = await createAuth(parseGatewayConfig(["-D", dir, "--bcrypt-cost", "4", ...args], {}, projectRoot), createLogger({ level: "info", destination }));
  return { auth, lines, close: async () => { await auth.close(); fs.rmSync(dir, { recursive: true, force: true }); } };
}

describe("createAuth", () => {
  it("migrates the database at start and logs what it applied", async () => {
    const { lines, close } = await authWith([]);
    try {
      expect(lines.find((l) => l.msg === "accounts database ready")?.migrationsApplied?.length).toBeGreaterThan(0);
    } finally {
      await close();
    }
  });

  it("warns loudly when single-user mode listens beyond loopback, and not otherwise", async () => {
    for (const [args, warned] of [[["--address", "0.0.0.0"], true], [[], false], [["-m", "--address", "0.0.0.0"], false]] as const) {
      const { lines, close } = await authWith([...args]);
      try {
        expect(lines.some((l) => l.level === 40 && /single-user mode on a non-loopback address/.test(l.msg)), args.join(" ")).toBe(warned);
      } finally {
        await close();
      }
    }
  });
});
