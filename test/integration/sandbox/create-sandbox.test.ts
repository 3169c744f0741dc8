import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createSandbox, SandboxError } from "../../../gateway/src/sandbox/index.ts";
import { TempDirs } from "./sandbox-harness.ts";

const temp = new TempDirs();
afterEach(() => temp.cleanup());

/** A dir holding a `bwrap` that fails the way a kernel without namespaces makes it fail. */
function brokenBwrapDir(): string {
  const dir = temp.make("fake-bwrap");
  const fake = path.join(dir, "bwrap");
  fs.writeFileSync(fake, "#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n");
  fs.chmodSync(fake, 0o755);
  return dir;
}

describe("createSandbox", () => {
  it("picks bwrap when it works", async () => {
    const sandbox = await createSandbox({});
    expect(sandbox.kind).toBe("bwrap");
  });

  it("falls back to plain, loudly, when bwrap is not installed", async () => {
    const sandbox = await createSandbox({ prefer: "auto", searchPath: temp.make("empty") });
    expect(sandbox.kind).toBe("plain");
    expect(sandbox.warnings).toHaveLength(1);
    expect(sandbox.warnings[0]).toMatch(/bwrap\) not found/);
    expect(sandbox.warnings[0]).toMatch(/apt-get install bubblewrap/);
    expect(sandbox.warnings[0]).toMatch(/NOT isolated/);
  });

  it("falls back to plain with bwrap's own complaint when it cannot create the sandbox", async () => {
    const sandbox = await createSandbox({ searchPath: brokenBwrapDir() });
    expect(sandbox.kind).toBe("plain");
    expect(sandbox.warnings[0]).toMatch(/cannot create the sandbox: exit 1: bwrap: No permissions to create new namespace/);
  });

  it("fails instead of falling back when bwrap is required", async () => {
    const err = await createSandbox({ prefer: "bwrap", searchPath: brokenBwrapDir() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SandboxError);
    expect((err as SandboxError).code).toBe("sandbox_unavailable");
    expect((err as SandboxError).message).toMatch(/No permissions to create new namespace/);
  });

  it("says loudly which layers are switched off", async () => {
    const sandbox = await createSandbox({ prefer: "bwrap", seccomp: false, cgroups: false });
    expect(sandbox.layers.some((l) => l.startsWith("seccomp") || l.startsWith("cgroup"))).toBe(false);
    expect(sandbox.warnings.join("\n")).toMatch(/cgroup limits are switched off: a tenant can use all memory, CPU and pids/);
    expect(sandbox.warnings.join("\n")).toMatch(/seccomp syscall deny-list is switched off/);
  });

  it("refuses to run tenants as root", async () => {
    await expect(createSandbox({ uid: 0 })).rejects.toThrow(/not root/);
    await expect(createSandbox({ prefer: "plain", gid: 0 })).rejects.toThrow(SandboxError);
  });
});
