import type { NewToken, TokenInfo } from "./api-types.ts";
import type { HttpClient } from "./http-client.ts";

/** What a new API token may do; the server never grants more than the credential that asks. */
export type TokenScope = "read" | "publish" | "deploy" | "admin";

/** Your own API tokens (`/api/v1/tokens`): for CI jobs and other machines, each revocable on its own. */
export class TokensApi {
  constructor(private readonly http: HttpClient) {}

  /** Your active tokens (login sessions included). */
  async list(): Promise<TokenInfo[]> {
    return (await this.http.request<{ tokens: TokenInfo[] }>("GET", "/api/v1/tokens")).tokens;
  }

  /** Makes a token; its secret (`token`) is in the reply only. Default scopes: `read`. */
  create(opts: { name?: string; scopes?: readonly TokenScope[]; expiresAt?: Date | string } = {}): Promise<NewToken> {
    const expiresAt = opts.expiresAt instanceof Date ? opts.expiresAt.toISOString() : opts.expiresAt;
    return this.http.request<NewToken>("POST", "/api/v1/tokens", { json: { name: opts.name, scopes: opts.scopes, expiresAt } });
  }

  /** Revokes one of your tokens by id. */
  async revoke(id: number): Promise<void> {
    await this.http.request("DELETE", `/api/v1/tokens/${encodeURIComponent(String(id))}`);
  }
}
