import http from "node:http";
import type { Duplex } from "node:stream";
import { Router, type Request, type Response, type NextFunction, type RequestHandler } from "express";
import type { GatewayConfig } from "../../../shared/config/index.ts";
import { PlothostError, toPlothostError } from "../../../shared/errors/catalogue.ts";
import type { Logger } from "../../../shared/logging/create-logger.ts";
import { USER_HEADER, createUserHeaderSigner, type UserHeaderSigner } from "../../../shared/auth/user-header.ts";
import { userHeaderKey } from "./user-header-key.ts";
import { openDatabase, type Database } from "../db/open-database.ts";
import type { Db } from "../db/prisma-client.ts";
import { redact } from "../db/database-url.ts";
import { AccountService } from "./account-service.ts";
import { AdminService, type UserDeleteHook } from "./admin-service.ts";
import { adminRouter } from "./admin-router.ts";
import { apiRouter } from "./api-router.ts";
import { loadAuthModule, type AuthModule } from "./auth-module.ts";
import { Authenticator } from "./authenticator.ts";
import { SESSION_COOKIE, isSecureRequest, setCookie } from "./cookies.ts";
import { CsrfProtection } from "./csrf.ts";
import { LoginThrottle } from "./login-throttle.ts";
import { PasswordHasher } from "./password-hasher.ts";
import { PasswordLogin } from "./password-login.ts";
import { PrismaAccountStore } from "./prisma-account-store.ts";
import { principalOf, setPrincipal, type Principal } from "./principal.ts";
import { pagesRouter } from "./pages/pages-router.ts";
import { TokenService } from "./token-service.ts";

type UpgradeHandler = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Accounts as the gateway composition root sees them. Order in app.ts: `authenticate` (every request after the
 * public static files), `routes` (API and pages), then `requireUser` in front of the home page and the app
 * proxy; WebSocket upgrades go through `upgrade(handler)`.
 */
export interface Auth {
  /** Works out who the request is (or nobody) and strips any client-sent user header. */
  readonly authenticate: RequestHandler;
  /** `/api/v1/...` (accounts, tokens, admin) and the `/login`, `/register`, `/logout` pages. */
  readonly routes: Router;
  /**
   * Lets through requests with a user holding `read` and gives them the signed user header for the worker;
   * anonymous browsers are redirected to the login page, other clients get 401.
   */
  readonly requireUser: RequestHandler;
  /**
   * Who a request is (or null), without requiring anyone: for content open to anonymous visitors, such as public
   * documents and their WebSockets. A bad Bearer token still throws (401/403).
   */
  identify(req: http.IncomingMessage): Promise<Principal | null>;
  /**
   * The CSRF check (place it after a body parser) for other routers taking state-changing requests: forms and
   * cookie-authenticated requests must echo the CSRF token (see csrf.ts).
   */
  readonly csrfCheck: RequestHandler;
  /** The request's CSRF token (setting the cookie when it has none), for pages whose scripts send `X-CSRF-Token`. */
  csrfToken(req: Request, res: Response): string;
  /** Wraps a WebSocket upgrade handler with the same checks as `requireUser` (refusing with 401/403). */
  upgrade(handler: UpgradeHandler): UpgradeHandler;
  /** The accounts database (Prisma), for features that keep rows next to accounts (e.g. share links). */
  readonly db: Db;
  /** The public key workers verify the user header with. */
  readonly userHeaderPublicKey: string;
  readonly accounts: AccountService;
  /** Adds a hook run before an admin deletes a user (e.g. removing their deployed apps); see AdminService. */
  onUserDelete(hook: UserDeleteHook): void;
  close(): Promise<void>;
}

/** Opens (and migrates) the accounts database and wires the accounts parts together. */
export async function createAuth(config: GatewayConfig, logger: Logger, deps: { now?: () => Date } = {}): Promise<Auth> {
  const log = logger.child({ component: "auth" });
  const authModule: AuthModule | null = config.authModule ? await loadAuthModule(config.authModule) : null;
  const database = await openDatabase(config.databaseUrl, config.projectRoot);
  try {
    return await wire(config, log, database, authModule, deps.now ?? (() => new Date()));
  } catch (err) {
    await database.close();
    throw err;
  }
}

async function wire(config: GatewayConfig, log: Logger, database: Database, authModule: AuthModule | null, now: () => Date): Promise<Auth> {
  log.info({ database: database.target.provider, url: redact(config.databaseUrl), migrationsApplied: database.migrations.applied }, "accounts database ready");
  for (const w of database.migrations.warnings) log.warn(w);
  const store = new PrismaAccountStore(database.db);
  const hasher = new PasswordHasher(config.bcryptCost);
  if (config.multiUser && !authModule) await hasher.warmUp();
  const throttle = new LoginThrottle(store, { maxFailures: 5, windowMs: 15 * 60_000, now });
  const accounts = new AccountService({ store, hasher, throttle, allowRegistration: config.allowRegistration, now });
  const tokens = new TokenService(accounts, now);
  const admin = new AdminService(accounts, hasher, now);
  const passwordLogin = new PasswordLogin(accounts);
  const csrf = new CsrfProtection(config.secureCookies);
  const authenticator = new Authenticator(accounts, { multiUser: config.multiUser, authModule });
  const signer = createUserHeaderSigner(userHeaderKey(config.dataDir, config.secretKey));

  if (!config.multiUser) {
    await authenticator.singleUser();
    if (!["127.0.0.1", "::1", "localhost"].includes(config.address)) {
      log.warn({ address: config.address }, "single-user mode on a non-loopback address: anyone who can reach this server acts as defaultuser (an admin). Use --multi-user.");
    }
  }

  const routes = Router();
  routes.use("/api/v1/admin", adminRouter({ accounts, admin, csrf }));
  routes.use("/api/v1", apiRouter({
    accounts, tokens, passwordLogin, csrf, passwords: config.multiUser && !authModule, secureCookies: config.secureCookies,
  }));
  routes.use(pagesRouter({
    accounts, passwordLogin, csrf, multiUser: config.multiUser, allowRegistration: config.allowRegistration, authModule,
    secureCookies: config.secureCookies,
  }));

  const loginUrl = (req: Request) => {
    const next = encodeURIComponent(req.originalUrl);
    if (authModule) return `${authModule.loginUrl}${authModule.loginUrl.includes("?") ? "&" : "?"}next=${next}`;
    return `${req.baseUrl}/login?next=${next}`;
  };

  return {
    routes,
    userHeaderPublicKey: signer.publicKey,
    accounts,
    onUserDelete: (hook) => admin.onDelete(hook),
    authenticate: (req: Request, res: Response, next: NextFunction) => {
      delete req.headers[USER_HEADER];
      authenticator.authenticate(req, req.ip ?? null).then(({ principal, staleCookie }) => {
        if (principal) setPrincipal(req, principal);
        if (staleCookie) setCookie(res, SESSION_COOKIE, "", { httpOnly: true, secure: isSecureRequest(req, config.secureCookies), maxAgeS: 0 });
        next();
      }, next);
    },
    requireUser: (req: Request, res: Response, next: NextFunction) => {
      const p = principalOf(req);
      if (!p) {
        if ((req.method === "GET" || req.method === "HEAD") && req.accepts(["json", "html"]) === "html") return res.redirect(302, loginUrl(req));
        return next(new PlothostError("unauthenticated"));
      }
      if (!p.scopes.has("read")) return next(new PlothostError("insufficient_scope", `needs "read"`));
      req.headers[USER_HEADER] = signUser(signer, p);
      next();
    },
    db: database.db,
    identify: async (req) => (await authenticator.authenticate(req, req.socket.remoteAddress ?? null)).principal,
    csrfCheck: csrf.check,
    csrfToken: (req, res) => csrf.tokenFor(req, res),
    upgrade: (handler) => (req, socket, head) => {
      delete req.headers[USER_HEADER];
      socket.on("error", (err) => log.debug({ err }, "websocket socket error before the upgrade"));
      authenticator.authenticate(req, req.socket.remoteAddress ?? null).then(({ principal }) => {
        if (!principal) return refuse(socket, new PlothostError("unauthenticated"));
        if (!principal.scopes.has("read")) return refuse(socket, new PlothostError("insufficient_scope", `needs "read"`));
        req.headers[USER_HEADER] = signUser(signer, principal);
        handler(req, socket, head);
      }, (err: unknown) => refuse(socket, toPlothostError(err)));
    },
    close: () => database.close(),
  };
}

function signUser(signer: UserHeaderSigner, p: { username: string; role: "admin" | "user" }): string {
  return signer.sign({ name: p.username, role: p.role });
}

function refuse(socket: Duplex, err: PlothostError): void {
  const body = JSON.stringify(err.toJSON());
  socket.end(`HTTP/1.1 ${err.status} ${http.STATUS_CODES[err.status]}\r\n` +
    `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}
