import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CompileError, compileApp } from "../../../gateway/src/apps/compile.ts";

let dir = "";
const app = (files: Record<string, string>) => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-compile-"));
  for (const [p, c] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), c);
  }
  return dir;
};
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("the deploy's compile step", () => {
  it("compiles every server-side TypeScript and JavaScript file, leaving static/ alone", async () => {
    const n = await compileApp(app({ "main.ts": "const x: number = 1; export default () => x;", "lib/a.mjs": "export const a = 1;", "static/vendor.js": "this is not js" }));
    expect(n).toBe(2);
  });

  it("fails with the compiler's messages, file:line:column", async () => {
    const err = await compileApp(app({ "main.ts": "export default () => 1;", "lib/bad.ts": "let ok = 1;\nconst y: = 2;\n" })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CompileError);
    expect((err as Error).message).toMatch(/lib\/bad\.ts:2:\d+: Unexpected "="/);
  });
});
