import type { IncomingMessage } from "node:http";
import { PlothostError } from "../../../shared/errors/catalogue.ts";
import type { AccountService } from "./account-service.ts";
import type { AuthModule } from "./auth-module.ts";
import { SESSION_COOKIE, readCookies } from "./cookies.ts";
import type { Principal } from "./principal.ts";
import { isRole } from "./scopes.ts";

/** The outcome of authenticating a request: who (or nobody), and whether its session cookie should be cleared. */
export interface Authentication {
  readonly principal: Principal | null;
  /** The request carried a session cookie that no longer works (expired, revoked, disabled user). */
  readonly staleCookie: boolean;
}

/**
 * Decides who a request (HTTP or WebSocket upgrade) acts as, in this order:
 * 1. `Authorization: Bearer pht_...` — an API token or login token; a bad one is an error (401/403), never
 *    a silent fallback, so scripts learn their token is wrong.
 * 2. the `plothost_session` cookie — a bad one makes the request anonymous (a browser is then sent to log in).
 * 3. the --auth-module's `getUser(req)`, if configured.
 * 4. in single-user mode, the built-in `defaultuser`.
 */
export class Authenticator {
  private defaultUser: Promise<Principal> | null = null;

  constructor(
    private readonly accounts: AccountService,
    private readonly opts: { multiUser: boolean; authModule: AuthModule | null },
  ) {}

  /** The single-user principal, made (and the account created) once; a failure is retried next time. */
  singleUser(): Promise<Principal> {
    this.defaultUser ??= this.accounts.defaultPrincipal().catch((err: unknown) => {
      this.defaultUser = null;
      throw err;
    });
    return this.defaultUser;
  }

  async authenticate(req: IncomingMessage, ip: string | null): Promise<Authentication> {
    const header = req.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      if (!m) throw new PlothostError("unauthenticated", "the Authorization header must be `Bearer pht_...`");
      return { principal: await this.accounts.authenticateSecret(m[1]), staleCookie: false };
    }
    const cookie = readCookies(req).get(SESSION_COOKIE);
    let staleCookie = false;
    if (cookie !== undefined && this.opts.multiUser) {
      try {
        const p = await this.accounts.authenticateSecret(cookie);
        if (p.via === "session") return { principal: p, staleCookie: false };
      } catch (err) {
        if (!(err instanceof PlothostError)) throw err;
      }
      staleCookie = true;
    }
    if (this.opts.authModule) {
      const found = await this.opts.authModule.getUser(req);
      const name = typeof found === "string" ? found : (found?.name ?? found?.username);
      if (name) {
        const role = typeof found === "object" && found && isRole(found.role) ? found.role : undefined;
        return { principal: await this.accounts.externalPrincipal(name, role, { ip }), staleCookie };
      }
    }
    if (!this.opts.multiUser) {
      return { principal: await this.singleUser(), staleCookie };
    }
    return { principal: null, staleCookie };
  }
}
