/**
 * The sandbox that runs tenant workers: the `Sandbox` interface (declared in `types.ts` to keep the
 * implementations free of import cycles), its two implementations, and `createSandbox`, the only place that
 * chooses between them.
 */
import { SYSTEM_DIRS } from "./host-layout.ts";
import { createPlainSandbox } from "./plain.ts";
import { probeBwrap } from "./probe.ts";
import { SandboxError } from "./sandbox-error.ts";
import type { CreateSandboxOptions, Sandbox } from "./types.ts";

export type { CreateSandboxOptions, Sandbox, SandboxKind, SandboxPreference, SandboxSpec } from "./types.ts";
export { SandboxError, type SandboxErrorCode } from "./sandbox-error.ts";

/** nobody / nogroup on Debian. */
const DEFAULT_ID = 65534;
const DEFAULT_TMP_BYTES = 64 * 1024 * 1024;
const DEFAULT_PROBE_TIMEOUT_MS = 5000;
const NOT_ISOLATED = "tenants are NOT isolated (they share the host's files, network and processes)";

/**
 * Probes once and returns the strongest sandbox available: bwrap when it can create the namespaces we need,
 * else (with `prefer: "auto"`) plain with a warning that says what is missing and how to fix it. With
 * `prefer: "bwrap"` a failed probe throws `SandboxError("sandbox_unavailable")` instead.
 *
 * As root, tenant code runs as `uid`/`gid` (default 65534): bwrap runs without a user namespace (so it can open
 * bind sources under 0700 dirs like /root) and `setpriv` drops to the uid inside, right before the command.
 * Not root: bwrap runs in a user namespace as the gateway's own uid, and `uid`/`gid` are ignored.
 */
export async function createSandbox(opts: CreateSandboxOptions = {}): Promise<Sandbox> {
  const prefer = opts.prefer ?? "auto";
  const uid = opts.uid ?? DEFAULT_ID;
  const gid = opts.gid ?? DEFAULT_ID;
  for (const id of [uid, gid]) {
    if (!Number.isInteger(id) || id <= 0) {
      throw new SandboxError("sandbox_unavailable", `sandbox uid/gid must be a positive integer (not root), got ${id}`);
    }
  }
  const isRoot = process.getuid?.() === 0;
  const drop = isRoot ? { uid, gid } : null;
  const plain = (why: string) =>
    createPlainSandbox({ drop, warnings: [`${why}: ${NOT_ISOLATED}`], onWarning: opts.onWarning });
  if (prefer === "plain") {
    return plain("sandbox 'plain' was chosen; install bubblewrap (apt-get install bubblewrap) and use 'auto'");
  }
  const warnings: string[] = [];
  if (!isRoot && (opts.uid !== undefined || opts.gid !== undefined)) {
    warnings.push(
      `uid/gid options ignored: the gateway is not root, so tenants run as its uid ${process.getuid?.()} ` +
        "inside a user namespace",
    );
  }
  const probe = await probeBwrap({
    searchDirs: opts.searchPath ? opts.searchPath.split(":").filter(Boolean) : SYSTEM_DIRS,
    drop,
    tmpSizeBytes: opts.tmpSizeBytes ?? DEFAULT_TMP_BYTES,
    timeoutMs: opts.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS,
    warnings,
  });
  if ("sandbox" in probe) return probe.sandbox;
  if (prefer === "bwrap") {
    throw new SandboxError("sandbox_unavailable", `sandbox 'bwrap' was required but ${probe.reason}`);
  }
  return plain(`falling back to the plain sandbox because ${probe.reason}`);
}
