import type { AppRow, AppState } from "../view-types.ts";
import { badge, bytes, esc, table } from "./html.ts";
import { layout, type PageFrame } from "./layout.ts";

const STATE_KIND: Record<AppState, string> = {
  running: "ok", idle: "idle", starting: "busy", stopping: "busy", restarting: "busy", deploying: "busy", crashed: "bad", stopped: "idle",
};

/** Apps: state, workers (pid, memory, CPU), sessions and restarts, kept current every two seconds; restart. */
export function appsPage(f: PageFrame, apps: readonly AppRow[]): string {
  const rows = apps.map((a) => {
    const key = (k: string) => `app-${a.name}-${k}`;
    const workers = a.workers.map((w, i) => `<span class="worker">pid <span data-live="${esc(key(`pid${i}`))}">${w.pid ?? "–"}</span>,
<span data-live="${esc(key(`mem${i}`))}">${bytes(w.memoryBytes)}</span>,
<span data-live="${esc(key(`cpu${i}`))}">${w.cpuPercent === null ? "–" : `${w.cpuPercent}%`}</span> CPU</span>`).join("<br>");
    const log = a.logTail.length > 0
      ? `<details><summary>Last ${a.logTail.length} log lines</summary><pre class="log">${esc(a.logTail.join("\n"))}</pre></details>` : `<span class="muted">none kept</span>`;
    return `<tr data-app-row="${esc(a.name)}">
<th scope="row"><a href="${esc(`${f.base}${a.url}`)}">${esc(a.name)}</a></th>
<td>${esc(a.owner ?? "–")}</td>
<td>${esc(a.version ?? "–")}</td>
<td>${badge(a.state, STATE_KIND[a.state], key("state"))}</td>
<td>${workers}</td>
<td class="num" data-live="${esc(key("sessions"))}">${a.sessions}</td>
<td class="num" data-live="${esc(key("restarts"))}">${a.restarts}</td>
<td><button type="button" class="small" data-action="restart-app" data-app="${esc(a.name)}" aria-label="Restart ${esc(a.name)}">Restart</button></td>
<td>${log}</td>
</tr>`;
  });
  const body = `<p class="muted">The apps this gateway serves. Restarting stops the worker gracefully (its sessions end) and starts a new one.</p>
${table("Apps", ["App", "Owner", "Version", "State", "Workers (pid, memory, CPU)", "Sessions", "Restarts", "Actions", "Log"], rows, "This server serves no apps.", "apps-table")}`;
  return layout(f, { section: "apps", title: "Apps", body, refreshMs: 2000 });
}
