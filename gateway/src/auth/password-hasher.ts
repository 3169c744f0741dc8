import { randomBytes } from "node:crypto";
import bcrypt from "bcrypt";

/** bcrypt never looks past 72 bytes; longer passwords are refused rather than silently truncated. */
export const MAX_PASSWORD_BYTES = 72;

/**
 * Hashes and checks passwords with bcrypt at a configured cost (12 by default; tests use 4). `verify` takes the
 * same time whether or not the account exists: with no hash it compares against a dummy hash of the same cost,
 * so response times do not reveal which usernames exist. `warmUp()` makes that hash ahead of the first login.
 */
export class PasswordHasher {
  private dummy: Promise<string> | null = null;

  constructor(private readonly cost: number) {}

  /** Makes the dummy hash now (at start), so the first login with an unknown username is not slower. */
  warmUp(): Promise<string> {
    this.dummy ??= bcrypt.hash(randomBytes(18).toString("base64"), this.cost);
    return this.dummy;
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost);
  }

  /** Whether `password` matches `hash`; a null hash (no such user, or no password) never matches. */
  async verify(password: string, hash: string | null): Promise<boolean> {
    const tooLong = Buffer.byteLength(password, "utf8") > MAX_PASSWORD_BYTES;
    const ok = await bcrypt.compare(tooLong ? "" : password, hash ?? (await this.warmUp()));
    return ok && hash !== null && !tooLong;
  }
}
