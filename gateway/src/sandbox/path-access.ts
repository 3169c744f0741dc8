import fs from "node:fs";
import path from "node:path";

/** What is wanted of the final path component: read (a directory: list and enter), or execute (a directory: enter). */
export type Access = "read" | "execute";

/**
 * Whether a process with exactly `uid`/`gid` and no supplementary groups (what `child_process.spawn({uid, gid})`
 * gives, since libuv clears the groups) could reach `target` and use it as asked: search permission on every
 * ancestor, then `access` on the target. Mode bits only; ACLs and
 * LSMs are ignored, so a `true` can still fail at run time (the child then reports EACCES itself).
 */
export function canAccess(target: string, uid: number, gid: number, access: Access): boolean {
  const X = 1;
  const R = 4;
  const allowed = (st: fs.Stats, bits: number) => {
    const shift = st.uid === uid ? 6 : st.gid === gid ? 3 : 0;
    return ((st.mode >> shift) & bits) === bits;
  };
  try {
    const real = fs.realpathSync(target);
    let dir = path.dirname(real);
    const ancestors: string[] = [];
    while (dir !== path.dirname(dir)) {
      ancestors.push(dir);
      dir = path.dirname(dir);
    }
    ancestors.push(dir);
    if (!ancestors.every((a) => allowed(fs.statSync(a), X))) return false;
    const st = fs.statSync(real);
    if (access === "execute") return allowed(st, X);
    return allowed(st, st.isDirectory() ? R | X : R);
  } catch {
    return false;
  }
}
