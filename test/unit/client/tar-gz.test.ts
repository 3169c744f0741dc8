import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tar from "tar";
import { afterEach, describe, expect, it } from "vitest";
import { packApp } from "../../../client/index.ts";

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-pack-"));
  made.push(d);
  return d;
};

/** Unpacks `archive` with the `tar` package (what the server uses) and returns path → content. */
async function unpack(archive: Uint8Array): Promise<Record<string, string>> {
  const dir = tmp();
  fs.writeFileSync(path.join(dir, "a.tar.gz"), archive);
  const out = path.join(dir, "out");
  fs.mkdirSync(out);
  await tar.x({ file: path.join(dir, "a.tar.gz"), cwd: out, strict: true });
  const files: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(out, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else files[p] = fs.readFileSync(path.join(out, p), "utf8");
    }
  };
  walk("");
  return files;
}

describe("packApp", () => {
  it("packs a directory's files (long paths too) without .git and node_modules, readable by tar", async () => {
    const app = tmp();
    const long = `${"nested-directory-name/".repeat(6)}module-with-a-long-name.ts`;
    const files: Record<string, string> = { "main.ts": "export default () => {}", "data/points.json": "[1,2]", [long]: "// deep" };
    for (const [p, body] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(app, p)), { recursive: true });
      fs.writeFileSync(path.join(app, p), body);
    }
    fs.mkdirSync(path.join(app, "node_modules", "x"), { recursive: true });
    fs.writeFileSync(path.join(app, "node_modules", "x", "index.js"), "");
    fs.mkdirSync(path.join(app, ".git"));
    fs.writeFileSync(path.join(app, ".git", "HEAD"), "");
    fs.symlinkSync("/etc/passwd", path.join(app, "passwd"));
    expect(long.length).toBeGreaterThan(100);
    expect(await unpack(packApp(app))).toEqual(files);
  });

  it("packs a single module at the archive's root", async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, "hello.ts"), "export default () => {}");
    expect(await unpack(packApp(path.join(dir, "hello.ts")))).toEqual({ "hello.ts": "export default () => {}" });
  });

  it("refuses an empty directory", () => {
    expect(() => packApp(tmp())).toThrow(/has no files to deploy/);
  });
});
