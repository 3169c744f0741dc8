// The permission launcher's app compiler: a copy of the app's folder with each server module as an ES module
// `X.js` whose relative imports name the `.js` files, data files beside them, dependencies linked (never a
// `plothost` of the app's own), dot-directories left out, and the copy reused while the app is unchanged.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AppCompileError, compileApp } from "../../../gateway/src/worker-launch/app-compiler.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-compile-"));
  dirs.push(root);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  fs.mkdirSync(path.join(root, "out"));
  return root;
}

const APP = {
  "app/main.ts": [
    'import { twice } from "./lib/helper";',
    'import { label } from "./util.js";',
    'import fs from "node:fs";',
    'import { dep } from "dep";',
    'const data: string = fs.readFileSync(new URL("./data/points.csv", import.meta.url), "utf8").trim();',
    "console.log(label, twice(21), data, dep);",
  ].join("\n"),
  "app/lib/helper.ts": "export const twice = (n: number): number => n * 2;\n",
  "app/util.ts": 'export const label: string = "answer";\n',
  "app/data/points.csv": "1,2\n",
  "app/static/app.js": "window.x = 1;\n",
  "app/node_modules/dep/package.json": '{"name":"dep","type":"module","exports":"./index.js"}',
  "app/node_modules/dep/index.js": 'export const dep = "dep-ok";\n',
  "app/node_modules/plothost/package.json": '{"name":"plothost"}',
  "app/.git/HEAD": "ref: refs/heads/main\n",
};

describe("compileApp", () => {
  it("compiles a directory app to runnable ES modules beside its data, with its dependencies linked", async () => {
    const root = tree(APP);
    const app = path.join(root, "app");
    const out = await compileApp(app, app, path.join(root, "out"));
    expect(out.nodeModules).toBe(path.join(app, "node_modules"));
    const main = fs.readFileSync(path.join(out.dir, "main.js"), "utf8");
    expect(main).toContain('from "./lib/helper.js"');
    expect(main).toContain('from "./util.js"');
    expect(fs.existsSync(path.join(out.dir, "main.ts"))).toBe(false);
    expect(fs.readFileSync(path.join(out.dir, "static", "app.js"), "utf8")).toBe("window.x = 1;\n");
    expect(fs.existsSync(path.join(out.dir, ".git"))).toBe(false);
    expect(fs.lstatSync(path.join(out.dir, "node_modules", "dep")).isSymbolicLink()).toBe(true);
    expect(fs.existsSync(path.join(out.dir, "node_modules", "plothost"))).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(out.dir, "package.json"), "utf8"))).toMatchObject({ type: "module" });
    const stdout = execFileSync(process.execPath, [path.join(out.dir, "main.js")], { encoding: "utf8", timeout: 10_000 });
    expect(stdout.trim()).toBe("answer 42 1,2 dep-ok");
  });

  it("reuses an unchanged app's copy and makes a new one when a file changes", async () => {
    const root = tree(APP);
    const app = path.join(root, "app");
    const first = await compileApp(path.join(app, "main.ts"), app, path.join(root, "out"));
    expect(first.appPath).toBe(path.join(first.dir, "main.js"));
    expect((await compileApp(path.join(app, "main.ts"), app, path.join(root, "out"))).dir).toBe(first.dir);
    fs.writeFileSync(path.join(app, "util.ts"), 'export const label: string = "changed";\n');
    const second = await compileApp(path.join(app, "main.ts"), app, path.join(root, "out"));
    expect(second.dir).not.toBe(first.dir);
    expect(execFileSync(process.execPath, [second.appPath], { encoding: "utf8", timeout: 10_000 })).toMatch(/^changed 42/);
  });

  it("a single module compiles itself and what it imports, not its folder's other modules", async () => {
    const root = tree({ ...APP, "app/broken.ts": "export const = ;\n" });
    const app = path.join(root, "app");
    const out = await compileApp(path.join(app, "main.ts"), app, path.join(root, "out"));
    expect(fs.existsSync(path.join(out.dir, "lib", "helper.js"))).toBe(true);
    expect(fs.existsSync(path.join(out.dir, "broken.js"))).toBe(false);
  });

  it("a syntax error fails with the compiler's file:line:column", async () => {
    const root = tree({ "app/main.ts": "export default function (doc) {\n  doc.add_root(;\n}\n" });
    const app = path.join(root, "app");
    const err = await compileApp(app, app, path.join(root, "out")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppCompileError);
    expect((err as Error).message).toMatch(/main\.ts:2:\d+: /);
  });
});
