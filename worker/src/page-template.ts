import { randomUUID } from "node:crypto";
import { BOKEH_VERSION } from "../../shared/document/index.ts";
import { BOKEHJS_BUNDLES, scriptJson } from "../../shared/session/page.ts";

/** What a directory app's `templates/index.html` is rendered with, besides `doc.template_variables`. */
export interface TemplateInput {
  readonly title: string;
  readonly token: string;
  /** The document's roots, in order, with their `name` (for `embed(roots.NAME)`). */
  readonly roots: ReadonlyArray<{ readonly id: string; readonly name: string | null }>;
  /** Where BokehJS is served (`<mount>/static`). */
  readonly staticPrefix: string;
  readonly variables: Readonly<Record<string, unknown>>;
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const EXPRESSION = /\{\{\s*(.+?)\s*\}\}/g;
const EMBED = /^embed\(\s*roots\.([A-Za-z_][\w-]*)\s*\)$/;

/**
 * Renders an app's page template, a small subset of what bokeh's Jinja templates offer:
 * `{{ name }}` or `{{ a.b }}` (a template variable, HTML-escaped; objects as JSON), `{{ name | safe }}` (not
 * escaped), `{{ embed(roots.NAME) }}` (the root whose `name` is NAME), and the page parts `{{ bokeh_js }}` (the
 * BokehJS script tags), `{{ bokeh_css }}` (empty: BokehJS 3 carries its CSS), `{{ plot_div }}` (every root not
 * placed with `embed`), `{{ plot_script }}` (the script that renders the session; required) and `{{ title }}`.
 * Unknown names render as nothing. Deliberately absent: Jinja blocks, loops, conditionals and filters but `safe`.
 */
export function renderTemplate(template: string, input: TemplateInput): string {
  const placed = new Set<string>();
  for (const m of template.matchAll(EXPRESSION)) {
    const e = EMBED.exec(m[1]);
    if (e) placed.add(e[1]);
  }
  const elementIds: Record<string, string> = Object.fromEntries(input.roots.map((r) => [r.id, randomUUID()]));
  const div = (id: string) => `<div id="${elementIds[id]}" data-root-id="${escapeHtml(id)}" style="display: contents;"></div>`;
  const byName = new Map(input.roots.filter((r) => r.name !== null).map((r) => [r.name!, r.id]));
  const plotDiv = input.roots.filter((r) => r.name === null || !placed.has(r.name)).map((r) => div(r.id)).join("\n");
  const embedded = new Map([...placed].filter((n) => byName.has(n)).map((n) => [n, div(byName.get(n)!)]));
  const rootIds = input.roots.map((r) => r.id);
  const renderItems = [{ token: input.token, roots: elementIds, root_ids: rootIds, use_for_title: true }];
  const builtins: Record<string, string> = {
    bokeh_js: BOKEHJS_BUNDLES.map((b) => `<script src="${escapeHtml(`${input.staticPrefix}/js/${b}?v=${BOKEH_VERSION}`)}"></script>`).join("\n"),
    bokeh_css: "",
    plot_div: plotDiv,
    plot_script: `<script>
(function () {
  const render_items = ${scriptJson(renderItems)};
  function embed() { Bokeh.safely(function () { Bokeh.embed.embed_items({}, render_items); }); }
  if (document.readyState !== "loading") embed(); else document.addEventListener("DOMContentLoaded", embed);
})();
</script>`,
  };
  return template.replace(EXPRESSION, (_all, expr: string) => {
    const e = EMBED.exec(expr);
    if (e) return embedded.get(e[1]) ?? "";
    if (expr in builtins) return builtins[expr];
    if (expr === "title") return escapeHtml(input.title);
    const [name, filter] = expr.split("|").map((s) => s.trim());
    const value = lookup(input.variables, name);
    const text = value === undefined || value === null ? "" : typeof value === "object" ? JSON.stringify(value) : String(value);
    return filter === "safe" ? text : escapeHtml(text);
  });
}

function lookup(vars: Readonly<Record<string, unknown>>, dotted: string): unknown {
  let v: unknown = vars;
  for (const part of dotted.split(".")) {
    if (v === null || typeof v !== "object" || !Object.hasOwn(v, part)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}
