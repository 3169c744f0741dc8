import { PlothostError } from "../../../shared/errors/catalogue.ts";
import type { AccountService, RequestOrigin } from "./account-service.ts";
import { UserOwnsContentError, type UserRecord } from "./account-store.ts";
import { DEFAULT_USER, checkPassword, usernameKey } from "./credential-rules.ts";
import type { PasswordHasher } from "./password-hasher.ts";
import { isRole } from "./scopes.ts";

/**
 * Runs before a user row is deleted, after the admin checks passed: removes what the user owns elsewhere (their
 * deployed apps, ...) so the database's Restrict relations let the delete through. A hook that throws stops the
 * delete (and the error is the answer).
 */
export type UserDeleteHook = (user: UserRecord) => Promise<void>;

/** What `PATCH /api/v1/admin/users/:name` accepts. */
export interface UserPatch {
  role?: unknown;
  disabled?: unknown;
}

/**
 * User management for admins: list, create (through AccountService), change role, disable and re-enable,
 * reset a password, delete. The callers have already checked the admin role and scope. Guards: the last
 * enabled admin cannot be demoted, disabled or deleted, and the built-in `defaultuser` is left alone.
 * `origin.actor` is the admin, for the audit trail (null from the CLI).
 * Disabling stops a user's logins and tokens at once (checked on every request); a password reset ends their
 * login sessions; deleting runs the delete hooks (`onDelete`: their apps go), then removes their tokens (database
 * cascade).
 */
export class AdminService {
  private readonly deleteHooks: UserDeleteHook[] = [];

  constructor(private readonly accounts: AccountService, private readonly hasher: PasswordHasher, private readonly now: () => Date = () => new Date()) {}

  /** Adds a hook run (in the order added) before each user is deleted. */
  onDelete(hook: UserDeleteHook): void {
    this.deleteHooks.push(hook);
  }

  listUsers(): Promise<UserRecord[]> {
    return this.accounts.store.listUsers();
  }

  async update(name: string, patch: UserPatch, origin: RequestOrigin): Promise<UserRecord> {
    if (patch.role !== undefined && !isRole(patch.role)) throw new PlothostError("bad_request", `role must be "admin" or "user"`);
    if (patch.disabled !== undefined && typeof patch.disabled !== "boolean") throw new PlothostError("bad_request", "disabled must be true or false");
    if (patch.role === undefined && patch.disabled === undefined) throw new PlothostError("bad_request", "send role and/or disabled");
    const user = await this.find(name);
    const losesAdmin = user.role === "admin" && !user.disabled && (patch.role === "user" || patch.disabled === true);
    if (losesAdmin) await this.keepAnAdmin(user);
    let updated = user;
    if (patch.role !== undefined && patch.role !== user.role) {
      updated = await this.accounts.store.updateUser(user.id, { role: patch.role });
      await this.accounts.audit(origin, `user.role.${patch.role}`, user.username);
    }
    if (patch.disabled !== undefined && patch.disabled !== user.disabled) {
      updated = await this.accounts.store.updateUser(user.id, { disabled: patch.disabled });
      await this.accounts.audit(origin, patch.disabled ? "user.disable" : "user.enable", user.username);
    }
    return updated;
  }

  async resetPassword(name: string, password: unknown, origin: RequestOrigin): Promise<void> {
    const user = await this.find(name);
    const hash = await this.hasher.hash(checkPassword(password, user.username));
    await this.accounts.store.updateUser(user.id, { passwordHash: hash });
    await this.accounts.store.revokeTokensOfKind(user.id, "session", this.now());
    await this.accounts.audit(origin, "user.password_reset", user.username);
  }

  async remove(name: string, origin: RequestOrigin): Promise<void> {
    const user = await this.find(name);
    if (user.role === "admin" && !user.disabled) await this.keepAnAdmin(user);
    for (const hook of this.deleteHooks) await hook(user);
    try {
      await this.accounts.store.deleteUser(user.id);
    } catch (err) {
      if (err instanceof UserOwnsContentError) throw new PlothostError("user_owns_content", user.username);
      throw err;
    }
    await this.accounts.audit(origin, "user.delete", user.username);
  }

  private async find(name: string): Promise<UserRecord> {
    const key = usernameKey(name);
    if (key === DEFAULT_USER) throw new PlothostError("bad_request", `${DEFAULT_USER} is built in and cannot be changed`);
    const user = await this.accounts.store.findUserByKey(key);
    if (!user) throw new PlothostError("user_not_found", name);
    return user;
  }

  private async keepAnAdmin(user: UserRecord): Promise<void> {
    if ((await this.accounts.store.countEnabledAdmins(DEFAULT_USER)) <= 1) throw new PlothostError("last_admin", user.username);
  }
}
