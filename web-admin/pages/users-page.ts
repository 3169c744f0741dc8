import type { UserPage, UserRow } from "../view-types.ts";
import { badge, esc, query, table, when } from "./html.ts";
import { layout, type PageFrame } from "./layout.ts";

function actions(u: UserRow): string {
  const name = esc(u.username);
  const b = (action: string, label: string, extra = "", cls = "") =>
    `<button type="button" class="small${cls}" data-action="${action}" data-user="${name}" aria-label="${esc(label)} ${name}"${extra}>${esc(label)}</button>`;
  return `<div class="actions">
${b("reset-password", "Reset password")}
${u.role === "admin" ? b("set-role", "Make user", ` data-role="user"`) : b("set-role", "Make admin", ` data-role="admin"`)}
${u.disabled ? b("set-disabled", "Enable", ` data-disabled="false"`) : b("set-disabled", "Disable", ` data-disabled="true"`)}
${b("revoke-tokens", "Revoke tokens", ` data-tokens="${u.activeTokens}"`)}
${b("delete-user", "Delete", ` data-docs="${u.docs}" data-apps="${u.apps}" data-tokens="${u.activeTokens}"`, " danger")}
</div>`;
}

/** Users: search and status filter (plain GET forms), the paged table, and the create-user form. */
export function usersPage(f: PageFrame, p: UserPage, status: string): string {
  const rows = p.users.map((u) => `<tr data-user-row="${esc(u.username)}">
<th scope="row">${esc(u.username)}</th>
<td>${badge(u.role, u.role)}</td>
<td>${when(u.createdAt)}</td>
<td>${when(u.lastLoginAt)}</td>
<td class="num">${u.apps}</td>
<td class="num"><a href="${esc(`${f.base}/admin/docs${query({ owner: u.username })}`)}" aria-label="${u.docs} documents of ${esc(u.username)}">${u.docs}</a></td>
<td>${u.disabled ? badge("disabled", "disabled") : badge("active", "active")}</td>
<td>${actions(u)}</td>
</tr>`);
  const pages = Math.max(1, Math.ceil(p.total / p.perPage));
  const link = (page: number, label: string, rel: string) =>
    `<a href="${esc(`${f.base}/admin/users${query({ q: p.q, status, page })}`)}" rel="${rel}">${esc(label)}</a>`;
  const pager = `<nav class="pager" aria-label="Pages of users">
${p.page > 1 ? link(p.page - 1, "← Previous", "prev") : ""}
<span>Page ${p.page} of ${pages} · ${p.total} user${p.total === 1 ? "" : "s"}</span>
${p.page < pages ? link(p.page + 1, "Next →", "next") : ""}
</nav>`;
  const opt = (v: string, label: string) => `<option value="${v}"${status === v ? " selected" : ""}>${esc(label)}</option>`;
  const body = `<div class="toolbar">
<form role="search" class="filters" method="get" action="${esc(`${f.base}/admin/users`)}">
<label for="user-q">Search users</label>
<input type="search" id="user-q" name="q" value="${esc(p.q)}" placeholder="part of a username">
<label for="user-status">Show</label>
<select id="user-status" name="status">${opt("", "everyone")}${opt("admin", "admins")}${opt("user", "users")}${opt("disabled", "disabled")}</select>
<button type="submit">Filter</button>
</form>
<details class="create"><summary>Create user</summary>
<form data-action="create-user" class="stack">
<label for="new-username">Username</label>
<input type="text" id="new-username" name="username" required maxlength="39" autocomplete="off" pattern="[A-Za-z0-9][A-Za-z0-9._\\-]{0,38}">
<label for="new-password">Password</label>
<input type="text" id="new-password" name="password" minlength="8" autocomplete="new-password" aria-describedby="new-password-hint">
<p class="hint" id="new-password-hint">At least 8 characters. Leave empty to generate a one-time password, shown once.</p>
<label for="new-role">Role</label>
<select id="new-role" name="role"><option value="user">user</option><option value="admin">admin</option></select>
<button type="submit" class="primary">Create user</button>
</form></details>
</div>
${table("Users", ["Username", "Role", "Created", "Last login", "Apps", "Docs", "Status", "Actions"], rows, p.q || status ? "No user matches." : "No users yet.")}
${pager}`;
  return layout(f, { section: "users", title: "Users", body });
}
