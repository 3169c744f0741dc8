import type { AppRow, AppState } from "../view-types.ts";
import { badge, bytes, esc, table } from "./html.ts";
import { layout, type PageFrame } from "./layout.ts";

const STATE_KIND: Record<AppState, string> = {
  running: "ok", idle: "idle", starting: "busy", stopping: "busy", restarting: "busy", deploying: "busy", crashed: "bad", stopped: "idle",
  deleting: "busy", not_deployed: "idle",
};

/** What changes the rows themselves (not just their live values): then the refresher swaps the whole table. */
const rowsKey = (apps: readonly AppRow[]): string =>
  apps.map((a) => `${a.name}:${a.version ?? ""}:${a.workers.length}:${a.versions.map((v) => `${v.version}${v.status}`).join(".")}`).join(" ");

function actions(a: AppRow): string {
  const b = (act: string, label: string, cls = "") =>
    `<button type="button" class="small${cls}" data-action="app-action" data-act="${act}" data-app="${esc(a.name)}" aria-label="${esc(label)} ${esc(a.name)}">${esc(label)}</button>`;
  const buttons = `<div class="actions">${b("start", "Start")}${b("stop", "Stop", " danger")}${b("restart", "Restart")}</div>`;
  const choices = a.versions.filter((v) => v.status !== "failed");
  if (a.kind !== "deployed" || choices.length === 0) return buttons;
  const id = `rollback-${a.name.replace(/[^A-Za-z0-9_-]/g, "-")}`;
  const opts = [...choices].reverse().map((v) => {
    const current = String(v.version) === a.version;
    return `<option value="${v.version}"${current ? " selected" : ""}>v${v.version}${current ? " (current)" : v.status === "stored" ? " (never deployed)" : ""}</option>`;
  }).join("");
  return `${buttons}<form class="rollback" data-action="rollback-app" data-app="${esc(a.name)}" data-current="${esc(a.version ?? "")}">
<label for="${esc(id)}">Roll back ${esc(a.name)} to</label>
<select id="${esc(id)}" name="version">${opts}</select>
<button type="submit" class="small">Roll back</button></form>`;
}

/**
 * Apps: every app the gateway serves (command-line apps, then every user's deployed apps) with owner, version,
 * state, workers (pid, memory, CPU, sessions), sessions, restarts and the last log lines, kept current every two
 * seconds; start, stop, restart, and roll a deployed app back to one of its versions.
 */
export function appsPage(f: PageFrame, apps: readonly AppRow[]): string {
  const rows = apps.map((a) => {
    const key = (k: string) => `app-${a.name}-${k}`;
    const workers = a.workers.length === 0 ? `<span class="muted">none running</span>` : a.workers.map((w, i) => `<span class="worker">${w.runner ? `runner ${esc(w.runner)}` : "pid"} <span data-live="${esc(key(`pid${i}`))}">${w.runner ? "" : w.pid ?? "–"}</span>,
<span data-live="${esc(key(`mem${i}`))}">${bytes(w.memoryBytes)}</span>,
<span data-live="${esc(key(`cpu${i}`))}">${w.cpuPercent === null ? "–" : `${w.cpuPercent}%`}</span> CPU,
<span data-live="${esc(key(`sessions${i}`))}">${w.sessions}</span> sessions</span>`).join("<br>");
    return `<tr data-app-row="${esc(a.name)}">
<th scope="row"><a href="${esc(`${f.base}${a.url}`)}">${esc(a.name)}</a>${a.kind === "local" ? `<br><small class="muted">command line</small>` : ""}</th>
<td>${esc(a.owner ?? "–")}</td>
<td data-live="${esc(key("version"))}">${esc(a.version === null ? "–" : `v${a.version}`)}</td>
<td>${badge(a.state, STATE_KIND[a.state], key("state"))}</td>
<td>${workers}</td>
<td class="num" data-live="${esc(key("sessions"))}">${a.sessions}</td>
<td class="num" data-live="${esc(key("restarts"))}">${a.restarts}</td>
<td>${actions(a)}</td>
</tr>`;
  });
  const logs = apps.map((a) => `<details class="app-log"><summary>Last log lines of ${esc(a.name)}</summary><pre class="log" data-live="${esc(`app-${a.name}-log`)}">${
    a.logTail.length > 0 ? esc(a.logTail.join("\n")) : "(none yet)"}</pre></details>`).join("\n");
  const body = `<p class="muted">Every app this gateway serves: those given on the command line, and every user's deployed apps
(<code>/&lt;owner&gt;/&lt;app&gt;</code>). Start brings up a worker; Stop ends its workers gracefully (their sessions end) and leaves the app
idle until its next visit; Restart replaces the running workers; Roll back deploys one of a deployed app's stored versions (new sessions
go to it once its worker is up, open ones stay on the old version until they end). Every action is in the audit log.</p>
<div data-live-region="apps" data-live-keys="${esc(rowsKey(apps))}">
${table("Apps", ["App", "Owner", "Version", "State", "Workers (pid, memory, CPU, sessions)", "Sessions", "Restarts", "Actions"], rows, "This server serves no apps.", "apps-table")}
<h2>Logs</h2>
${logs || `<p class="muted">No apps, no logs.</p>`}
</div>`;
  return layout(f, { section: "apps", title: "Apps", body, refreshMs: 2000 });
}
