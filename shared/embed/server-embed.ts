import { randomUUID } from "node:crypto";

/** Options shared by {@link serverDocument} and {@link serverSession}. */
export interface EmbedOptions {
  /** Query arguments for the app (they reach it as `ctx.request.arguments`). */
  arguments?: Readonly<Record<string, string | number | boolean>>;
  /** Extra request headers for the `autoload.js` request (they reach the app as `ctx.request.headers`). */
  headers?: Readonly<Record<string, string>>;
  /** `"none"` when the page already loads BokehJS itself. */
  resources?: "default" | "none";
}

const attr = (s: string): string => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
const js = (v: unknown): string => JSON.stringify(v).replace(/</g, "\\u003c");

function autoloadUrl(appUrl: string, elementId: string, extra: Record<string, string>, opts: EmbedOptions): string {
  const app = new URL(appUrl);
  const appPath = app.pathname.replace(/\/+$/, "");
  const q = new URLSearchParams({
    "bokeh-autoload-element": elementId,
    "bokeh-app-path": appPath,
    "bokeh-absolute-url": `${app.origin}${appPath}`,
    ...extra,
  });
  if (opts.resources === "none") q.set("resources", "none");
  for (const [k, v] of Object.entries(opts.arguments ?? {})) q.set(k, String(v));
  return `${app.origin}${appPath}/autoload.js?${q}`;
}

function tag(src: string, elementId: string, headers?: Readonly<Record<string, string>>): string {
  if (!headers || Object.keys(headers).length === 0) return `<script id="${attr(elementId)}" src="${attr(src)}"></script>`;
  // With headers the script cannot be a plain src: fetch it with them, then run it (the element stays a div).
  return `<div id="${attr(elementId)}"></div>
<script>
fetch(${js(src)}, { headers: ${js(headers)} }).then(function (r) { if (!r.ok) throw new Error("plothost autoload: HTTP " + r.status); return r.text(); })
  .then(function (code) { const s = document.createElement("script"); s.textContent = code; document.head.appendChild(s); })
  .catch(function (e) { console.error(e); });
</script>`;
}

/**
 * The `<script>` tag that embeds a new session of a plothost app in any page (Bokeh's `server_document`):
 * `serverDocument("https://viz.example.com/sliders")`. The app's server must allow the page's origin for
 * WebSockets (`--allow-websocket-origin`).
 */
export function serverDocument(appUrl: string, opts: EmbedOptions = {}): string {
  const id = `plothost-${randomUUID()}`;
  return tag(autoloadUrl(appUrl, id, {}, opts), id, opts.headers);
}

/**
 * The tag that embeds an existing session — one the site created and customised first with `pullSession` —
 * (Bokeh's `server_session`). With `--sign-sessions` the id must be signed with the server's secret key.
 */
export function serverSession(opts: EmbedOptions & { url: string; sessionId: string }): string {
  const id = `plothost-${randomUUID()}`;
  return tag(autoloadUrl(opts.url, id, { "bokeh-session-id": opts.sessionId }, opts), id, opts.headers);
}
