import { NODE_HARDENING_LAYERS } from "./node-hardening.ts";

/**
 * Every isolation layer a worker gets, as the gateway (and a runner) logs and reports them: the sandbox's, the
 * per-app uids when running as root (they replace the sandbox's one default identity, which then applies to no
 * app), Node's own limits, and the launcher's.
 */
export function activeLayers(opts: {
  sandbox: readonly string[];
  launcher: readonly string[];
  uidRange: { readonly first: number; readonly count: number };
  isRoot: boolean;
}): string[] {
  const { first, count } = opts.uidRange;
  const sandbox = opts.isRoot ? opts.sandbox.filter((l) => !/^(uid|gid):\d+$/.test(l)) : opts.sandbox;
  return [...sandbox, ...(opts.isRoot ? [`uid:per-app:${first}-${first + count - 1}`] : []), ...NODE_HARDENING_LAYERS, ...opts.launcher];
}
