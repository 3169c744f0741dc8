import type { AuditPage } from "../view-types.ts";
import { esc, query, table, when } from "./html.ts";
import { layout, type PageFrame } from "./layout.ts";

/** Actions the filter suggests (any action, or a prefix ending in `.`, may be typed). */
const KNOWN_ACTIONS = [
  "login", "login.failed", "logout", "user.", "user.create", "user.register", "user.delete", "user.disable", "user.enable",
  "user.role.admin", "user.role.user", "user.password_reset", "user.tokens_revoke", "user.provision", "token.", "token.create",
  "token.revoke", "doc.", "doc.visibility.public", "doc.visibility.private", "doc.delete", "app.restart", "session.end",
];

/** Audit log: who did what to what, newest first; filter by actor, action (or `prefix.`) and target; page on. */
export function auditPage(f: PageFrame, a: AuditPage): string {
  const rows = a.events.map((e) => `<tr>
<td>${when(e.at)}</td>
<td>${esc(e.actor ?? "–")}</td>
<th scope="row"><code>${esc(e.action)}</code></th>
<td>${esc(e.target ?? "–")}</td>
<td>${esc(e.ip ?? "–")}</td>
</tr>`);
  const more = a.nextBefore === null ? "" : `<nav class="pager" aria-label="Older audit lines">
<a rel="next" href="${esc(`${f.base}/admin/audit${query({ ...a.filter, before: a.nextBefore })}`)}">Older →</a></nav>`;
  const body = `<form role="search" class="filters" method="get" action="${esc(`${f.base}/admin/audit`)}">
<label for="audit-actor">Who</label><input type="text" id="audit-actor" name="actor" value="${esc(a.filter.actor)}" autocomplete="off">
<label for="audit-action">Action</label><input type="text" id="audit-action" name="action" value="${esc(a.filter.action)}" list="audit-actions" aria-describedby="audit-action-hint" autocomplete="off">
<datalist id="audit-actions">${KNOWN_ACTIONS.map((x) => `<option value="${esc(x)}"></option>`).join("")}</datalist>
<label for="audit-target">Target</label><input type="text" id="audit-target" name="target" value="${esc(a.filter.target)}" autocomplete="off">
<button type="submit">Filter</button>
<p class="hint" id="audit-action-hint">An action such as <code>user.disable</code>, or a family ending in a dot: <code>user.</code></p>
</form>
${table("Audit log", ["When", "Who", "Action", "Target", "From"], rows, "No audit lines match.")}
${more}`;
  return layout(f, { section: "audit", title: "Audit log", body });
}
