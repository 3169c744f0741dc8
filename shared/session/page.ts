import { randomUUID } from "node:crypto";
import { BOKEH_VERSION } from "../document/index.ts";

/** The BokehJS bundles a page loads, in order; the gateway serves them from the npm package at `/static/js/`. */
export const BOKEHJS_BUNDLES = ["bokeh.min.js", "bokeh-widgets.min.js", "bokeh-tables.min.js"] as const;

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** JSON safe to place inside a `<script>` element (no `</script>` or `<!--` can be formed). */
export const scriptJson = (value: unknown): string =>
  JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

const bundleUrls = (staticPrefix: string): string[] => BOKEHJS_BUNDLES.map((b) => `${staticPrefix}/js/${b}?v=${BOKEH_VERSION}`);

/** The page's own style; `embed` pages (for an iframe) also fill the frame exactly and never show scrollbars. */
const PAGE_STYLE = "html, body { box-sizing: border-box; display: flow-root; height: 100%; margin: 0; padding: 0; }";
const EMBED_STYLE = "html, body { box-sizing: border-box; display: flow-root; width: 100%; height: 100%; margin: 0; padding: 0; " +
  "border: 0; overflow: hidden; }";

/**
 * The page `bokeh serve` returns for a session: BokehJS, one element per root, and `embed_items` with the
 * session token (the browser then opens `<app>/ws` and pulls the document). With `embed`, the page is meant for an
 * `<iframe>`: nothing but the roots, filling the frame (responsive roots, e.g. `sizing_mode: "stretch_both"`, take
 * all of it), no margins and no scrollbars. Whether other sites may frame it is the server's headers' business.
 */
export function sessionPage(opts: { title: string; token: string; rootIds: readonly string[]; staticPrefix: string; embed?: boolean }): string {
  const roots: Record<string, string> = {};
  const divs = opts.rootIds.map((id) => {
    const elementId = randomUUID();
    roots[id] = elementId;
    return `<div id="${elementId}" data-root-id="${escapeHtml(id)}" style="display: contents;"></div>`;
  });
  const renderItems = [{ token: opts.token, roots, root_ids: opts.rootIds, use_for_title: true }];
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(opts.title)}</title>
<style>${opts.embed ? EMBED_STYLE : PAGE_STYLE}</style>
${bundleUrls(opts.staticPrefix).map((u) => `<script src="${escapeHtml(u)}"></script>`).join("\n")}
</head>
<body>
${divs.join("\n")}
<script>
(function () {
  const render_items = ${scriptJson(renderItems)};
  function embed() { Bokeh.safely(function () { Bokeh.embed.embed_items({}, render_items); }); }
  if (document.readyState !== "loading") embed(); else document.addEventListener("DOMContentLoaded", embed);
})();
</script>
</body>
</html>
`;
}

/**
 * `autoload.js`: a script for other sites (`<script src=".../autoload.js?bokeh-autoload-element=ID">`) that loads
 * BokehJS unless `resources=none`, then renders the session into the element with that id.
 */
export function autoloadScript(opts: {
  token: string; elementId: string; appPath: string; absoluteUrl: string | null; staticPrefix: string; loadResources: boolean;
}): string {
  const urls = opts.loadResources ? bundleUrls(opts.staticPrefix) : [];
  const item = { token: opts.token, elementid: opts.elementId, use_for_title: false };
  return `(function () {
  const urls = ${scriptJson(urls)};
  const item = ${scriptJson(item)};
  function embed() { Bokeh.embed.embed_items({}, [item], ${scriptJson(opts.appPath)}, ${scriptJson(opts.absoluteUrl)}); }
  function next(i) {
    if (i >= urls.length) { embed(); return; }
    const s = document.createElement("script");
    s.src = urls[i];
    s.onload = function () { next(i + 1); };
    s.onerror = function () { console.error("plothost: could not load " + urls[i]); };
    document.head.appendChild(s);
  }
  next(0);
})();
`;
}

/** A plain, readable error page; `detail` (a stack trace) is included only in dev mode by the caller. */
export function errorPage(opts: { status: number; title: string; message: string; detail?: string }): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(opts.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:3rem auto;padding:0 1rem;color:#222}
pre{background:#f6f6f6;padding:1rem;overflow:auto;font-size:.85rem}</style></head>
<body><h1>${escapeHtml(opts.title)}</h1><p>${escapeHtml(opts.message)}</p>
${opts.detail ? `<pre>${escapeHtml(opts.detail)}</pre>` : ""}
<p><small>HTTP ${opts.status} · plothost</small></p></body></html>
`;
}
