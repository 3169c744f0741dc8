import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { extractArchive, inspectArchive } from "../../../gateway/src/apps/archive.ts";
import { rawTarGz, tarGzOf } from "../../integration/apps/app-helpers.ts";

const limits = { maxBytes: 1024 * 1024, maxEntries: 100 };
const dirs: string[] = [];
const scratch = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-archive-"));
  dirs.push(d);
  return d;
};
const file = (buf: Buffer) => {
  const f = path.join(scratch(), "a.tar.gz");
  fs.writeFileSync(f, buf);
  return f;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("app archives", () => {
  it("finds a directory app, stripping its one top folder", async () => {
    const info = await inspectArchive(file(await tarGzOf({ "myapp/main.ts": "x", "myapp/lib/a.ts": "y", "myapp/static/s.css": "z" })), limits);
    expect(info).toMatchObject({ format: "directory", root: "myapp", entry: "main.ts", files: 3 });
  });

  it("finds a directory app at the archive's top, and a single module", async () => {
    expect(await inspectArchive(file(await tarGzOf({ "main.js": "x", "data.csv": "1" })), limits)).toMatchObject({ format: "directory", root: "", entry: "main.js" });
    expect(await inspectArchive(file(await tarGzOf({ "sales.ts": "x", "README.md": "r" })), limits)).toMatchObject({ format: "module", entry: "sales.ts" });
  });

  it("refuses paths and links that lead outside, special files, several modules, and oversize apps", async () => {
    const refused = (entries: Parameters<typeof rawTarGz>[0], l = limits) => inspectArchive(file(rawTarGz(entries)), l);
    await expect(refused([{ name: "a/../../x.ts" }])).rejects.toMatchObject({ code: "bad_archive" });
    await expect(refused([{ name: "/etc/cron.d/x" }])).rejects.toMatchObject({ code: "bad_archive" });
    await expect(refused([{ name: "main.ts" }, { name: "lib/up", type: "2", linkname: "../../outside" }])).rejects.toThrow(/points outside/);
    await expect(refused([{ name: "main.ts" }, { name: "abs", type: "2", linkname: "/etc/passwd" }])).rejects.toThrow(/points outside/);
    await expect(refused([{ name: "main.ts" }, { name: "hard", type: "1", linkname: "../x" }])).rejects.toThrow(/points outside/);
    await expect(refused([{ name: "main.ts" }, { name: "dev", type: "3" }])).rejects.toThrow(/only files, directories and links/);
    await expect(refused([{ name: "a.ts" }, { name: "b.ts" }])).rejects.toThrow(/several modules/);
    await expect(refused([{ name: "main.ts", content: "x".repeat(2000) }], { maxBytes: 1000, maxEntries: 10 })).rejects.toMatchObject({ code: "payload_too_large" });
    await expect(inspectArchive(file(Buffer.from("not a tarball")), limits)).rejects.toMatchObject({ code: "bad_archive" });
  });

  it("allows links that stay inside, and unpacks readable files", async () => {
    const f = file(rawTarGz([{ name: "app/main.ts", content: "export default () => {}" }, { name: "app/data", type: "5" }, { name: "app/data/alias.ts", type: "2", linkname: "../main.ts" }]));
    const info = await inspectArchive(f, limits);
    const dest = path.join(scratch(), "out");
    await extractArchive(f, info, dest);
    expect(fs.readFileSync(path.join(dest, "data", "alias.ts"), "utf8")).toBe("export default () => {}");
    expect(fs.statSync(path.join(dest, "main.ts")).mode & 0o777).toBe(0o644);
  });
});
