import type { OverviewCounts } from "../view-types.ts";
import { bytes, esc } from "./html.ts";
import { layout, type PageFrame } from "./layout.ts";

/**
 * The overview: the numbers at a glance (as of the page load), then the live charts, a Bokeh document the
 * gateway hosts and updates every second; `chartScript` is its autoload.js URL, which renders it into the element.
 */
export function overviewPage(f: PageFrame, c: OverviewCounts, chart: { elementId: string; scriptUrl: string }): string {
  const tile = (label: string, value: string | number, detail: string, href: string) =>
    `<li class="tile"><a href="${esc(`${f.base}/admin${href}`)}"><span class="tile-label">${esc(label)}</span>
<span class="tile-value">${esc(value)}</span><span class="tile-detail">${esc(detail)}</span></a></li>`;
  const m = c.metrics;
  const body = `<section aria-labelledby="glance-h"><h2 id="glance-h">At a glance</h2>
<ul class="tiles">
${tile("Users", c.users, `${c.admins} admin${c.admins === 1 ? "" : "s"}, ${c.disabledUsers} disabled`, "/users")}
${tile("Apps", `${m.appsRunning} / ${c.apps}`, "running / served", "/apps")}
${tile("Sessions", m.sessions, "live right now", "/sessions")}
${tile("Documents", c.docs, "published", "/docs")}
${tile("Worker memory", bytes(m.workerMemoryBytes), `${m.restarts} restart${m.restarts === 1 ? "" : "s"}`, "/apps")}
</ul></section>
<section aria-labelledby="live-h"><h2 id="live-h">Live</h2>
<p class="muted">Sampled every second; drawn by BokehJS from a document plothost updates over the Bokeh protocol.</p>
<div class="chart" id="${esc(chart.elementId)}" role="img" aria-label="Live charts: sessions, requests per second, proxy latency p50 and p99, worker memory and restarts over time"></div>
<script src="${esc(chart.scriptUrl)}" id="overview-autoload"></script>
</section>`;
  return layout(f, { section: "overview", title: "Overview", body });
}
