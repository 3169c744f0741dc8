import { ColumnDataSource, Div, Document, column, figure, type Figure } from "../../../shared/index.ts";
import type { MetricsSample } from "../../../web-admin/view-types.ts";

/** Names BokehJS (and the tests) find the overview's models by. */
export const OVERVIEW_SOURCE = "overview_metrics";
export const OVERVIEW_GLANCE = "overview_glance";

const MIB = 1024 * 1024;
const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/**
 * The admin console's live overview, built with plothost's own plotting API: one ColumnDataSource holding a row
 * per metrics sample (streamed, keeping the last `keep` rows), five time-series charts over it, and a Div with
 * the current numbers. `record` must run under the hosting session's document lock (`withDocument`), which turns
 * its changes into PATCH-DOC messages for every connected browser.
 */
export class OverviewDocument {
  readonly document = new Document({ title: "plothost admin overview" });
  private readonly source = new ColumnDataSource({
    name: OVERVIEW_SOURCE,
    data: { t: [], sessions: [], rps: [], p50: [], p99: [], memory_mib: [], restarts: [] },
  });
  private readonly glance = new Div({ name: OVERVIEW_GLANCE, text: glanceHtml(null), sizing_mode: "stretch_width" });

  constructor(private readonly keep = 600) {
    let shared: Figure | null = null;
    // Every chart shares the first one's time axis: they pan and zoom together, and show the same span even
    // when one has no data for a while (latency without app requests).
    const chart = (title: string, y: string): Figure => figure({
      title, height: 170, sizing_mode: "stretch_width", x_axis_type: "datetime", y_axis_label: y,
      tools: "xpan,xwheel_zoom,reset,save", toolbar_location: "right", min_border_left: 50,
      ...(shared ? { x_range: shared.x_range } : {}),
    });
    const sessions = chart("Sessions", "live");
    shared = sessions;
    sessions.step({ x: "t", y: "sessions", source: this.source, mode: "after", line_width: 2, line_color: "#1f6feb" });
    const rps = chart("Requests per second", "req/s");
    rps.line({ x: "t", y: "rps", source: this.source, line_width: 2, line_color: "#2da44e" });
    const latency = chart("Proxy latency", "ms");
    latency.line({ x: "t", y: "p50", source: this.source, line_width: 2, line_color: "#8250df", legend_label: "p50" });
    latency.line({ x: "t", y: "p99", source: this.source, line_width: 2, line_color: "#cf222e", legend_label: "p99" });
    // Markers too: a lone sample between gaps (no requests) would draw no line.
    latency.scatter({ x: "t", y: "p50", source: this.source, size: 4, color: "#8250df", legend_label: "p50" });
    latency.scatter({ x: "t", y: "p99", source: this.source, size: 4, color: "#cf222e", legend_label: "p99" });
    latency.legend.location = "top_left";
    const memory = chart("Worker memory", "MiB");
    memory.line({ x: "t", y: "memory_mib", source: this.source, line_width: 2, line_color: "#bf8700" });
    const restarts = chart("Worker restarts", "total");
    restarts.step({ x: "t", y: "restarts", source: this.source, mode: "after", line_width: 2, line_color: "#57606a" });
    this.document.add_root(column(this.glance, sessions, rps, latency, memory, restarts, { sizing_mode: "stretch_width" }));
  }

  /** Appends one sample to the charts and shows it in the numbers at a glance. */
  record(s: MetricsSample): void {
    this.source.stream({
      t: [s.at], sessions: [s.sessions], rps: [s.requestsPerSecond], p50: [s.p50Ms ?? NaN], p99: [s.p99Ms ?? NaN],
      memory_mib: [Math.round((s.workerMemoryBytes / MIB) * 10) / 10], restarts: [s.restarts],
    }, this.keep);
    this.glance.text = glanceHtml(s);
  }
}

function glanceHtml(s: MetricsSample | null): string {
  const item = (label: string, value: string, key: string) =>
    `<div class="glance-item" data-metric="${key}"><span style="color:#57606a">${esc(label)}</span> <strong>${esc(value)}</strong></div>`;
  if (!s) return `<div class="glance">${item("Waiting for the first sample", "…", "none")}</div>`;
  const ms = (v: number | null) => (v === null ? "–" : `${v} ms`);
  return `<div class="glance" style="display:flex;flex-wrap:wrap;gap:.4rem 1.4rem">${[
    item("Sessions", String(s.sessions), "sessions"),
    item("Requests/s", String(s.requestsPerSecond), "rps"),
    item("Proxy p50 / p99", `${ms(s.p50Ms)} / ${ms(s.p99Ms)}`, "latency"),
    item("Worker memory", `${Math.round(s.workerMemoryBytes / MIB)} MiB`, "memory"),
    item("Restarts", String(s.restarts), "restarts"),
    item("Apps running", String(s.appsRunning), "apps"),
  ].join("")}</div>`;
}
