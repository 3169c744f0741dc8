/**
 * What the seccomp layer refuses, as data. A deny-list, not an allow-list: tenant code is arbitrary Node, whose
 * syscall needs change with every Node and glibc release, while what it must never do is short and stable.
 *
 * Deliberately left out: syscalls that already need a capability the worker no longer has (`settimeofday`,
 * `chroot`, `iopl`, ...): the uid drop stops them, and a smaller list is easier to audit. `socket` is allowed:
 * the network namespace leaves only `lo`, and the worker must listen on its Unix socket.
 */
export interface SeccompPolicy {
  /** Refused with EPERM whatever their arguments. */
  readonly eperm: readonly string[];
  /** Refused with ENOSYS, so that libc falls back to an older syscall that can be filtered (clone3 → clone). */
  readonly enosys: readonly string[];
  /** Refused with EPERM when the first argument has any of these flag bits set (one rule per bit). */
  readonly epermIfFlags: Readonly<Record<string, readonly number[]>>;
}

/** clone(2) flags that create namespaces; `unshare` is refused outright. */
const CLONE_NEW = {
  CLONE_NEWTIME: 0x00000080,
  CLONE_NEWNS: 0x00020000,
  CLONE_NEWCGROUP: 0x02000000,
  CLONE_NEWUTS: 0x04000000,
  CLONE_NEWIPC: 0x08000000,
  CLONE_NEWUSER: 0x10000000,
  CLONE_NEWPID: 0x20000000,
  CLONE_NEWNET: 0x40000000,
} as const;

/**
 * The deny-list every bwrap-sandboxed worker runs under. Each group closes a class of attack:
 * - debugging and memory access across processes (`ptrace`, `process_vm_readv/writev`);
 * - new namespaces, above all nested user namespaces, which would hand the tenant a fresh set of capabilities
 *   over kernel code that is otherwise root-only (`unshare`, `setns`, namespace flags of `clone`; `clone3`
 *   answers ENOSYS because its flags sit in memory a filter cannot read, and glibc then falls back to `clone`);
 * - mounting, old API and new (`mount`, `umount2`, `pivot_root`, `fsopen`, `fsmount`, `move_mount`, ...);
 * - kernel attack surface with a long CVE record (`bpf`, `perf_event_open`, `userfaultfd`, the keyring calls,
 *   `io_uring_*`: libuv falls back to its thread pool when io_uring is refused);
 * - whole-machine operations (modules, `kexec_*`, `reboot`, `swapon/off`, `open_by_handle_at`).
 * Other architectures' syscalls (i386 via int 0x80, x32) kill the process: the filter knows only the native ABI.
 */
export const WORKER_SECCOMP_POLICY: SeccompPolicy = Object.freeze({
  eperm: Object.freeze([
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp",
    "unshare", "setns",
    "mount", "umount", "umount2", "pivot_root", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount",
    "open_tree", "mount_setattr",
    "bpf", "perf_event_open", "userfaultfd", "keyctl", "add_key", "request_key",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
    "reboot", "swapon", "swapoff", "open_by_handle_at", "acct",
  ]),
  enosys: Object.freeze(["clone3"]),
  epermIfFlags: Object.freeze({ clone: Object.freeze(Object.values(CLONE_NEW)) }),
});
