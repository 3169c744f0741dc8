import { api, generatePassword, seg } from "./api.ts";
import { ask, esc } from "./dialog.ts";
import { reloadWith, toast } from "./toast.ts";

/** Shows a password once, with a note that it will not be shown again. */
function showPassword(title: string, username: string, password: string): void {
  ask({
    title, ok: "Done", noCancel: true,
    body: `<p>The one-time password for <strong>${esc(username)}</strong> is shown only now. Give it to them safely.</p>
<p><label for="otp">Password</label> <input id="otp" type="text" readonly value="${esc(password)}" class="otp"></p>`,
    onClose: () => reloadWith(`${title}.`),
  });
}

export async function createUser(form: HTMLFormElement): Promise<void> {
  const data = new FormData(form);
  const username = String(data.get("username") ?? "").trim();
  const typed = String(data.get("password") ?? "");
  const password = typed || generatePassword();
  try {
    await api("POST", "/api/v1/admin/users", { username, password, role: String(data.get("role") ?? "user") });
  } catch (err) {
    toast(`Could not create ${username}: ${(err as Error).message}`, "error");
    return;
  }
  if (typed) reloadWith(`Created user ${username}.`);
  else showPassword(`Created user ${username}`, username, password);
}

export function resetPassword(user: string): void {
  ask({
    title: `Reset the password of ${user}`, ok: "Reset password",
    body: `<p>Their login sessions end; their API tokens keep working.</p>
<fieldset><legend>New password</legend>
<label><input type="radio" name="mode" value="generate" checked> Generate a one-time password</label>
<label><input type="radio" name="mode" value="set"> Set this password:</label>
<label for="set-password" class="vh">Password to set</label>
<input type="text" id="set-password" name="password" minlength="8" autocomplete="new-password"></fieldset>`,
    onOk: async (data) => {
      const generate = data.get("mode") !== "set";
      const password = generate ? generatePassword() : String(data.get("password") ?? "");
      await api("POST", `/api/v1/admin/users/${seg(user)}/password`, { password });
      if (!generate) return reloadWith(`Set a new password for ${user}.`);
      return () => showPassword(`Reset the password of ${user}`, user, password);
    },
  });
}

export function setRole(user: string, role: string): void {
  ask({
    title: role === "admin" ? `Make ${user} an admin?` : `Make ${user} a normal user?`,
    body: role === "admin" ? "<p>Admins manage every user, app and document on this server.</p>" : "<p>They lose access to this console at once.</p>",
    ok: role === "admin" ? "Make admin" : "Make user",
    onOk: async () => {
      await api("PATCH", `/api/v1/admin/users/${seg(user)}`, { role });
      reloadWith(`${user} is now ${role === "admin" ? "an admin" : "a user"}.`);
    },
  });
}

export function setDisabled(user: string, disabled: boolean): void {
  const run = async () => {
    await api("PATCH", `/api/v1/admin/users/${seg(user)}`, { disabled });
    reloadWith(`${disabled ? "Disabled" : "Enabled"} ${user}.`);
  };
  if (!disabled) {
    run().catch((err: unknown) => toast((err as Error).message, "error"));
    return;
  }
  ask({
    title: `Disable ${user}?`, ok: "Disable", danger: true, onOk: run,
    body: "<p>Their logins, login sessions and API tokens stop working at once, until you enable them again.</p>",
  });
}

export function revokeTokens(user: string, count: string): void {
  ask({
    title: `Revoke the tokens of ${user}?`, ok: "Revoke all", danger: true,
    body: `<p>This revokes their ${esc(count)} active API token(s) and login session(s): scripts using them stop working, and they are logged out everywhere.</p>`,
    onOk: async () => {
      const r = await api<{ revoked: number }>("DELETE", `/api/v1/admin/users/${seg(user)}/tokens`);
      reloadWith(`Revoked ${r.revoked} token(s) of ${user}.`);
    },
  });
}

export async function deleteUser(user: string, tokens: string): Promise<void> {
  const [{ documents }, { apps: allApps }] = await Promise.all([
    api<{ documents: Array<{ id: string; name: string }> }>("GET", `/api/v1/admin/docs?owner=${seg(user)}`),
    api<{ apps: Array<{ owner: string; name: string; versions: number }> }>("GET", "/api/v1/admin/apps"),
  ]);
  const apps = allApps.filter((a) => a.owner.toLowerCase() === user.toLowerCase());
  const docList = documents.length === 0 ? "<li>no published documents</li>"
    : documents.map((d) => `<li>document <strong>${esc(d.name)}</strong> (<code>${esc(d.id)}</code>) and its share links</li>`).join("");
  const appList = apps.length === 0 ? "<li>no deployed apps</li>"
    : apps.map((a) => `<li>app <strong>${esc(a.name)}</strong> (<code>/${esc(a.owner)}/${esc(a.name)}</code>) with its ${a.versions} version(s) and files</li>`).join("");
  const cut = [documents.length > 0 ? "viewing these documents" : "", apps.length > 0 ? "using these apps" : ""].filter(Boolean).join(" or ");
  ask({
    title: `Delete ${user}?`, ok: `Delete ${user}`, danger: true,
    body: `<p>This cannot be undone. It deletes:</p>
<ul><li>the account <strong>${esc(user)}</strong></li><li>its ${esc(tokens)} active API token(s) and login session(s)</li>${docList}${appList}</ul>
${cut ? `<p>Anyone ${cut} is disconnected at once; the apps' workers stop.</p>` : ""}
<p><label for="confirm-name">Type <strong>${esc(user)}</strong> to confirm</label>
<input type="text" id="confirm-name" name="confirm" autocomplete="off" required></p>`,
    onOk: async (data) => {
      if (String(data.get("confirm") ?? "") !== user) throw new Error(`Type ${user} exactly to confirm.`);
      // The server deletes the account's documents (with their share links) and deployed apps with it.
      await api("DELETE", `/api/v1/admin/users/${seg(user)}`);
      const what = [documents.length > 0 ? `${documents.length} document(s)` : "", apps.length > 0 ? `${apps.length} app(s)` : ""].filter(Boolean);
      reloadWith(`Deleted ${user}${what.length > 0 ? ` and ${what.join(" and ")}` : ""}.`);
    },
  });
}
