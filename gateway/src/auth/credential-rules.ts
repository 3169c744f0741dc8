import { PlothostError } from "../../../shared/errors/catalogue.ts";
import { MAX_PASSWORD_BYTES } from "./password-hasher.ts";

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,38}$/;

/** The built-in account of single-user mode. It cannot log in and nobody can register its name. */
export const DEFAULT_USER = "defaultuser";

/** The lookup key of a username: usernames are unique regardless of case. */
export function usernameKey(username: string): string {
  return username.toLowerCase();
}

/** @throws PlothostError invalid_username */
export function checkUsername(username: unknown): string {
  if (typeof username !== "string" || !USERNAME.test(username)) {
    throw new PlothostError("invalid_username", typeof username === "string" && username !== "" ? `got "${username.slice(0, 60)}"` : "no username given");
  }
  return username;
}

/** @throws PlothostError weak_password (the message states the rule) */
export function checkPassword(password: unknown, username: string): string {
  if (typeof password !== "string" || password.trim() === "") throw new PlothostError("weak_password", "no password given");
  if ([...password].length < 8) throw new PlothostError("weak_password", "too short");
  if (Buffer.byteLength(password, "utf8") > MAX_PASSWORD_BYTES) throw new PlothostError("weak_password", "too long");
  if (password.toLowerCase() === username.toLowerCase()) throw new PlothostError("weak_password", "same as the username");
  return password;
}
