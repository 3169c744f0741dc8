import type { SessionRow } from "../view-types.ts";
import { age, esc, table, when } from "./html.ts";
import { layout, type PageFrame } from "./layout.ts";

/** Sessions: every live session connection, grouped by app or document, kept current; end one. */
export function sessionsPage(f: PageFrame, sessions: readonly SessionRow[], now: number): string {
  const groups = new Map<string, SessionRow[]>();
  for (const s of sessions) {
    const k = `${s.kind === "app" ? "App" : "Document"} ${s.target}`;
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  const rows = sessions.map((s) => {
    const label = `${s.kind === "app" ? "app" : "document"} ${s.target}${s.user ? ` of ${s.user}` : ""}`;
    const href = s.kind === "app" ? `${f.base}/${s.target}` : /^[A-Za-z0-9_-]+$/.test(s.target) ? `${f.base}/doc/${s.target}` : null;
    const target = href ? `<a href="${esc(href)}">${esc(s.target)}</a>` : esc(s.target);
    return `<tr data-session-row="${esc(s.id)}">
<td>${s.kind === "app" ? "app" : "document"}</td>
<th scope="row">${target}</th>
<td>${s.workerPid ?? "–"}</td>
<td>${esc(s.user ?? "anonymous")}</td>
<td><code title="${esc(s.sessionId ?? "")}">${esc((s.sessionId ?? "–").slice(0, 12))}</code></td>
<td data-live="session-${esc(s.id)}-age">${esc(age(s.openedAt, now))}</td>
<td data-live="session-${esc(s.id)}-last">${esc(age(s.lastActivityAt, now))} ago</td>
<td>${when(s.openedAt)}</td>
<td><button type="button" class="small danger" data-action="end-session" data-session="${esc(s.id)}" data-label="${esc(label)}" aria-label="End session: ${esc(label)}">End</button></td>
</tr>`;
  });
  const summary = [...groups].map(([k, list]) => `<li>${esc(k)}: <strong>${list.length}</strong></li>`).join("");
  const body = `<section aria-labelledby="per-h"><h2 id="per-h">Per app and document</h2>
<ul class="summary" data-live="sessions-summary">${summary || "<li>No live sessions.</li>"}</ul></section>
<section aria-labelledby="all-h"><h2 id="all-h">All sessions</h2>
<p class="muted">Ending a session closes its connection; the worker then discards the session.</p>
<div data-live-region="sessions" data-live-keys="${esc(sessions.map((s) => s.id).join(" "))}">
${table("Live sessions", ["Kind", "App or document", "Worker", "User", "Session", "Age", "Last activity", "Opened", "Actions"], rows, "No live sessions.")}
</div></section>`;
  return layout(f, { section: "sessions", title: "Sessions", body, refreshMs: 2000 });
}
