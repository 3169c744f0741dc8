import type { IncomingMessage } from "node:http";
import { pathToFileURL } from "node:url";
import type { Role } from "./scopes.ts";

/** What an auth module's `getUser` may return: a username, a user with a role, or nobody. */
export type ExternalUser = string | { name?: string; username?: string; role?: Role } | null | undefined;

/**
 * bokeh serve's `--auth-module` hook, for sites with their own SSO: a module exporting `getUser(req)` (sync or
 * async; the raw Node request, with its cookies and headers; returns the username, `{name, role}`, or null
 * when nobody is logged in) and `loginUrl` (where browsers without a user are sent; `?next=` is added), plus
 * optionally `logoutUrl`. bokeh's snake_case names (`get_user`, `login_url`, `logout_url`) work too. The module
 * runs inside the gateway: it is the operator's code, not a tenant's.
 */
export interface AuthModule {
  getUser(req: IncomingMessage): ExternalUser | Promise<ExternalUser>;
  readonly loginUrl: string;
  readonly logoutUrl: string | null;
}

/** Thrown at start when the module cannot be used; the message says what it must export. */
export class AuthModuleError extends Error {
  constructor(file: string, why: string, options?: { cause?: unknown }) {
    super(`--auth-module ${file}: ${why}. It must export getUser(req) and loginUrl (see README, "Accounts").`, options);
    this.name = "AuthModuleError";
  }
}

export async function loadAuthModule(file: string): Promise<AuthModule> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw new AuthModuleError(file, `could not be loaded (${(err as Error).message})`, { cause: err });
  }
  const getUser = mod.getUser ?? mod.get_user;
  const loginUrl = mod.loginUrl ?? mod.login_url;
  const logoutUrl = mod.logoutUrl ?? mod.logout_url ?? null;
  if (typeof getUser !== "function") throw new AuthModuleError(file, "exports no getUser function");
  if (typeof loginUrl !== "string" || loginUrl === "") throw new AuthModuleError(file, "exports no loginUrl string");
  if (logoutUrl !== null && typeof logoutUrl !== "string") throw new AuthModuleError(file, "logoutUrl must be a string");
  return { getUser: getUser as AuthModule["getUser"], loginUrl, logoutUrl: logoutUrl as string | null };
}
