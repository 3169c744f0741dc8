import type { UserInfo } from "./api-types.ts";
import type { HttpClient } from "./http-client.ts";

/** User management over `/api/v1/admin/users`: needs an admin's credential with the `admin` scope. */
export class AdminApi {
  constructor(private readonly http: HttpClient) {}

  async listUsers(): Promise<UserInfo[]> {
    return (await this.http.request<{ users: UserInfo[] }>("GET", "/api/v1/admin/users")).users;
  }

  async createUser(input: { username: string; password: string; role?: "admin" | "user" }): Promise<UserInfo> {
    return (await this.http.request<{ user: UserInfo }>("POST", "/api/v1/admin/users", { json: input })).user;
  }

  setRole(username: string, role: "admin" | "user"): Promise<UserInfo> {
    return this.update(username, { role });
  }

  /** Disables (or re-enables) an account: its logins and tokens stop working meanwhile. */
  setDisabled(username: string, disabled: boolean): Promise<UserInfo> {
    return this.update(username, { disabled });
  }

  async resetPassword(username: string, password: string): Promise<void> {
    await this.http.request("POST", `/api/v1/admin/users/${encodeURIComponent(username)}/password`, { json: { password }, idempotent: true });
  }

  async deleteUser(username: string): Promise<void> {
    await this.http.request("DELETE", `/api/v1/admin/users/${encodeURIComponent(username)}`);
  }

  private async update(username: string, patch: { role?: string; disabled?: boolean }): Promise<UserInfo> {
    const path = `/api/v1/admin/users/${encodeURIComponent(username)}`;
    return (await this.http.request<{ user: UserInfo }>("PATCH", path, { json: patch, idempotent: true })).user;
  }
}
