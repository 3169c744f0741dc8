import type { Request, Response } from "express";
import { Passport } from "passport";
import { Strategy as LocalStrategy } from "passport-local";
import { PlothostError } from "../../../shared/errors/catalogue.ts";
import type { AccountService } from "./account-service.ts";
import type { UserRecord } from "./account-store.ts";

/**
 * Username + password login through passport-local (no passport sessions: plothost issues its own session
 * tokens). Its own Passport instance, not the module singleton. The strategy reads `username` and `password`
 * from the parsed body (JSON or a form) and hands them to AccountService.login (throttling, bcrypt, audit).
 */
export class PasswordLogin {
  private readonly passport = new Passport();

  constructor(accounts: AccountService) {
    this.passport.use("local", new LocalStrategy(
      { usernameField: "username", passwordField: "password", session: false, passReqToCallback: true },
      (req, username, password, done) => {
        accounts.login(username, password, { ip: req.ip ?? null }).then((user) => done(null, user), (err: unknown) => done(err));
      },
    ));
  }

  /** The user whose credentials the request carries. @throws PlothostError (401, 403, 429, 400) */
  authenticate(req: Request, res: Response): Promise<UserRecord> {
    return new Promise((resolve, reject) => {
      const middleware = this.passport.authenticate("local", { session: false }, (err: unknown, user: UserRecord | false) => {
        if (err) reject(err);
        else if (!user) reject(new PlothostError("bad_request", "send username and password"));
        else resolve(user);
      });
      middleware(req, res, reject);
    });
  }
}
