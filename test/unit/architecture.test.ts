import path from "node:path";
import { describe, expect, it } from "vitest";
import madge from "madge";
import { projectRoot } from "../helpers/start-gateway.ts";

describe("the tree is the architecture", () => {
  it("has no circular imports", async () => {
    const res = await madge(["gateway", "worker", "shared", "client"].map((d) => path.join(projectRoot, d)), {
      fileExtensions: ["ts"], tsConfig: path.join(projectRoot, "tsconfig.json"),
      excludeRegExp: [/prisma\/generated\//], // Prisma's generated clients (vendor code) are cyclic by design
    });
    expect(res.circular()).toEqual([]);
  });

  it("shared/ imports nothing above it, worker/ never imports gateway/, client/ only shared/", async () => {
    const res = await madge(["gateway", "worker", "shared", "client"].map((d) => path.join(projectRoot, d)), {
      fileExtensions: ["ts"], baseDir: projectRoot,
    });
    const graph = res.obj();
    const offenders: string[] = [];
    for (const [file, deps] of Object.entries(graph)) {
      for (const dep of deps) {
        if (file.startsWith("shared/") && /^(gateway|worker|client)\//.test(dep)) offenders.push(`${file} -> ${dep}`);
        if (file.startsWith("worker/") && dep.startsWith("gateway/")) offenders.push(`${file} -> ${dep}`);
        if (file.startsWith("client/") && /^(gateway|worker)\//.test(dep)) offenders.push(`${file} -> ${dep}`);
      }
    }
    expect(Object.keys(graph).length).toBeGreaterThan(10);
    expect(offenders).toEqual([]);
  });
});
