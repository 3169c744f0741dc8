// Choosing the cgroup version, and what each version writes, against stand-in cgroup trees in a temp dir (this
// host has v1 only; the real kernel is exercised in cgroup-layer.test.ts).
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { detectCgroups } from "../../../gateway/src/sandbox/cgroup-detect.ts";
import { createCgroupV1 } from "../../../gateway/src/sandbox/cgroup-v1.ts";
import { createCgroupV2 } from "../../../gateway/src/sandbox/cgroup-v2.ts";
import { TempDirs } from "./sandbox-harness.ts";

const temp = new TempDirs();
afterEach(() => temp.cleanup());

const LIMITS = { memoryMiB: 200, pids: 99, cpuPercent: 150 };
const read = (file: string) => fs.readFileSync(file, "utf8");

/** A stand-in unified tree: root offers the controllers, the gateway sits in /system.slice/plothost.service. */
function fakeV2(controllers: string): { mount: string; view: { cgroup: string; mountinfo: string } } {
  const mount = temp.make("v2");
  const service = path.join(mount, "system.slice", "plothost.service");
  fs.mkdirSync(service, { recursive: true });
  fs.writeFileSync(path.join(mount, "cgroup.controllers"), controllers);
  fs.writeFileSync(path.join(mount, "system.slice", "cgroup.subtree_control"), controllers);
  return {
    mount,
    view: {
      cgroup: "0::/system.slice/plothost.service\n",
      mountinfo: `30 25 0:26 / ${mount} rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n`,
    },
  };
}

/** A stand-in hybrid host like this one: v1 memory, pids and cpu; a unified tree that offers none of them. */
function fakeHybrid(): { v1: Record<string, string>; view: { cgroup: string; mountinfo: string } } {
  const root = temp.make("hybrid");
  const v1: Record<string, string> = {};
  const lines: string[] = [];
  for (const [i, c] of ["memory", "pids", "cpu"].entries()) {
    v1[c] = path.join(root, c);
    fs.mkdirSync(path.join(v1[c], "gw"), { recursive: true });
    lines.push(`${40 + i} 25 0:${40 + i} / ${v1[c]} rw - cgroup cgroup rw,${c}`);
  }
  const unified = path.join(root, "unified");
  fs.mkdirSync(unified);
  fs.writeFileSync(path.join(unified, "cgroup.controllers"), "hugetlb\n");
  lines.push(`50 25 0:50 / ${unified} rw - cgroup2 cgroup2 rw`);
  return { v1, view: { cgroup: "4:memory:/gw\n3:pids:/gw\n2:cpu,cpuacct:/gw\n0::/\n", mountinfo: `${lines.join("\n")}\n` } };
}

describe("cgroup detection", () => {
  it("uses v2 when the unified tree hands memory, pids and cpu down, next to the gateway's own cgroup", () => {
    const { mount, view } = fakeV2("cpu memory pids io");
    const found = detectCgroups(view);
    if (!("limiter" in found)) throw new Error(found.reason);
    expect(found.limiter.version).toBe(2);
    expect(found.limiter.controllers).toEqual(["memory", "pids", "cpu"]);
    const cg = found.limiter.create("app", LIMITS);
    // A sibling of the gateway's cgroup: v2 forbids controllers below a cgroup that holds processes.
    expect(path.relative(mount, cg.dirs[0])).toMatch(new RegExp(`^system\\.slice/plothost-${process.pid}-[a-z0-9]+/app-1$`));
  });

  it("uses v1 on a hybrid host whose unified tree offers none of the controllers, nested in the gateway's cgroups", () => {
    const { v1, view } = fakeHybrid();
    const found = detectCgroups(view);
    if (!("limiter" in found)) throw new Error(found.reason);
    expect(found.limiter.version).toBe(1);
    expect(found.limiter.warnings).toEqual([]);
    const cg = found.limiter.create("app", LIMITS);
    expect(cg.dirs).toHaveLength(3);
    for (const c of ["memory", "pids", "cpu"]) {
      expect(cg.dirs.some((d) => d.startsWith(path.join(v1[c], "gw", `plothost-${process.pid}-`)))).toBe(true);
    }
  });

  it("warns about each controller it cannot use, and gives a reason when there is none", () => {
    const { view } = fakeHybrid();
    const noCpu = { ...view, mountinfo: view.mountinfo.split("\n").filter((l) => !l.includes("rw,cpu")).join("\n") };
    const found = detectCgroups(noCpu);
    if (!("limiter" in found)) throw new Error(found.reason);
    expect(found.limiter.controllers).toEqual(["memory", "pids"]);
    expect(found.limiter.warnings).toEqual(["cgroup controller 'cpu' is not available to plothost: the CPU limit of workers is NOT enforced"]);
    const none = detectCgroups({ cgroup: "", mountinfo: "" });
    expect(none).toEqual({ reason: expect.stringMatching(/no cgroup controller .* can be used.*run the gateway as root/) });
  });

  it("gives the reason when no cgroup can be created there (not root, not delegated, gone)", () => {
    const { view } = fakeHybrid();
    // A path that cannot be created stands in for a tree the gateway may not write (root ignores mode bits).
    const blocked = detectCgroups({ ...view, cgroup: "4:memory:/missing/gw\n3:pids:/missing/gw\n2:cpu,cpuacct:/missing/gw\n0::/\n" });
    expect(blocked).toEqual({ reason: expect.stringMatching(/v1 memory: cannot create cgroups under .*missing\/gw \(ENOENT\)/) });
  });
});

describe("cgroup v2 limiter", () => {
  it("enables the controllers for its children and writes memory.max, pids.max and cpu.max", () => {
    const { mount } = fakeV2("cpu memory pids");
    const limiter = createCgroupV2({ base: mount, controllers: ["memory", "pids", "cpu"] });
    const cg = limiter.create("my app", LIMITS);
    const [dir] = cg.dirs;
    expect(path.basename(dir)).toBe("my_app-1");
    expect(read(path.join(path.dirname(dir), "cgroup.subtree_control"))).toBe("+memory +pids +cpu");
    expect(read(path.join(dir, "memory.max"))).toBe(String(200 * 2 ** 20));
    expect(read(path.join(dir, "pids.max"))).toBe("99");
    expect(read(path.join(dir, "cpu.max"))).toBe("150000 100000");
    expect(cg.procsFiles).toEqual([path.join(dir, "cgroup.procs")]);
    expect(cg.oomKills()).toBe(0);
    fs.writeFileSync(path.join(dir, "memory.events"), "low 0\nhigh 0\nmax 12\noom 2\noom_kill 1\n");
    expect(cg.oomKills()).toBe(1);
    expect(limiter.create("my app", LIMITS).dirs[0]).toBe(path.join(path.dirname(dir), "my_app-2"));
  });
});

describe("cgroup v1 limiter", () => {
  it("writes memory.limit_in_bytes, pids.max and the CFS quota, one directory per controller", () => {
    const { v1 } = fakeHybrid();
    const limiter = createCgroupV1({ bases: { memory: path.join(v1.memory, "gw"), pids: path.join(v1.pids, "gw"), cpu: path.join(v1.cpu, "gw") } });
    const cg = limiter.create("app", LIMITS);
    const [memory, pids, cpu] = cg.dirs;
    expect(read(path.join(memory, "memory.limit_in_bytes"))).toBe(String(200 * 2 ** 20));
    expect(read(path.join(pids, "pids.max"))).toBe("99");
    expect(read(path.join(cpu, "cpu.cfs_period_us"))).toBe("100000");
    expect(read(path.join(cpu, "cpu.cfs_quota_us"))).toBe("150000");
    expect(cg.procsFiles).toEqual(cg.dirs.map((d) => path.join(d, "cgroup.procs")));
    fs.writeFileSync(path.join(memory, "memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
    expect(cg.oomKills()).toBe(3);
  });

  it("removes stale parents left by gateways that no longer run, and keeps live ones", () => {
    const { v1 } = fakeHybrid();
    const base = path.join(v1.memory, "gw");
    const stale = path.join(base, "plothost-999999999-abc123");
    const live = path.join(base, `plothost-${process.pid}-def456`);
    fs.mkdirSync(path.join(stale, "app-1"), { recursive: true });
    fs.mkdirSync(path.join(live, "app-1"), { recursive: true });
    createCgroupV1({ bases: { memory: base } });
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(path.join(live, "app-1"))).toBe(true);
  });
});
