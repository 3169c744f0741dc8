import type { SandboxStatus } from "../view-types.ts";
import { esc } from "./html.ts";

/** The console's sections, in navigation order: path below `/admin` and label. */
export const SECTIONS = [
  { id: "overview", path: "", label: "Overview" },
  { id: "users", path: "/users", label: "Users" },
  { id: "apps", path: "/apps", label: "Apps" },
  { id: "sessions", path: "/sessions", label: "Sessions" },
  { id: "docs", path: "/docs", label: "Documents" },
  { id: "audit", path: "/audit", label: "Audit log" },
] as const;

export type SectionId = (typeof SECTIONS)[number]["id"];

/** What every console page needs around its content. */
export interface PageFrame {
  /** Where plothost is mounted ("" at the site root). */
  readonly base: string;
  /** The CSRF token the page's script sends as `X-CSRF-Token`. */
  readonly csrf: string;
  /** The admin looking at the page. */
  readonly username: string;
  /** Whether people log in (multi-user): then the header offers a log-out link. */
  readonly loggedIn: boolean;
  /** Cache-busting version of the console's script and stylesheet. */
  readonly assetsVersion: string;
  /** The sandbox tenants run in: a warning banner tops every page when it does not isolate them fully. */
  readonly sandbox: SandboxStatus;
}

/**
 * The warning every page carries while tenants are not isolated: the `plain` sandbox (apps share the host's
 * files, network and processes), or a sandbox missing some of its layers (its warnings say which). Empty when
 * the sandbox has everything.
 */
export function sandboxBanner(s: SandboxStatus): string {
  const plain = s.kind === "plain";
  if (!plain && s.warnings.length === 0) return "";
  const title = plain ? "Tenants are NOT isolated" : "The sandbox is missing layers";
  const lead = plain
    ? `Apps run in the <code>plain</code> sandbox: every tenant's code shares this host's files, network and processes. Install
bubblewrap (<code>apt-get install bubblewrap</code>) and start plothost with <code>--sandbox auto</code> before letting others deploy.`
    : `Apps run in the <code>${esc(s.kind)}</code> sandbox, but some of its layers could not be set up on this host:`;
  const items = s.warnings.map((w) => `<li>${esc(w)}</li>`).join("");
  return `<section class="sandbox-warning" aria-labelledby="sandbox-warning-title" data-sandbox="${esc(s.kind)}">
<h2 id="sandbox-warning-title">⚠ ${esc(title)}</h2>
<p>${lead}</p>${items ? `<ul>${items}</ul>` : ""}
</section>`;
}

/**
 * The console's page shell: skip link, header with the section navigation (the current one marked
 * `aria-current`), the main region, a polite live region for messages, and the one dialog the script reuses.
 * `refreshMs` asks the script to keep the page's `data-live` parts current.
 */
export function layout(f: PageFrame, page: { section: SectionId; title: string; body: string; refreshMs?: number; head?: string }): string {
  const nav = SECTIONS.map((s) => {
    const current = s.id === page.section ? ` aria-current="page"` : "";
    return `<li><a href="${esc(`${f.base}/admin${s.path}`)}"${current}>${esc(s.label)}</a></li>`;
  }).join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="plothost-base" content="${esc(f.base)}">
<meta name="plothost-csrf" content="${esc(f.csrf)}">
<title>${esc(page.title)} · plothost admin</title>
<link rel="stylesheet" href="${esc(`${f.base}/admin/assets/console.css?v=${f.assetsVersion}`)}">
<script src="${esc(`${f.base}/admin/assets/console.js?v=${f.assetsVersion}`)}" defer></script>
${page.head ?? ""}
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<a class="brand" href="${esc(`${f.base}/admin`)}">plothost <span>admin</span></a>
<nav aria-label="Admin sections"><ul>${nav}</ul></nav>
<p class="me">${esc(f.username)}${f.loggedIn ? ` · <a href="${esc(`${f.base}/logout`)}">Log out</a>` : ""} · <a href="${esc(`${f.base}/`)}">Site</a></p>
</header>
<main id="main" tabindex="-1"${page.refreshMs ? ` data-refresh="${page.refreshMs}"` : ""}>
${sandboxBanner(f.sandbox)}
<h1>${esc(page.title)}</h1>
${page.body}
</main>
<div id="toast" class="toast" role="status" aria-live="polite"></div>
<dialog id="dialog" aria-labelledby="dialog-title"><form method="dialog" id="dialog-form">
<h2 id="dialog-title"></h2><div id="dialog-body"></div>
<p class="dialog-error" id="dialog-error" role="alert" hidden></p>
<div class="dialog-buttons"><button type="submit" value="ok" id="dialog-ok" class="primary">OK</button>
<button type="submit" value="cancel" id="dialog-cancel" formnovalidate>Cancel</button></div>
</form></dialog>
</body>
</html>
`;
}

/**
 * The page a logged-in user who is not an admin gets (HTTP 403); `tokenLacksScope` when an admin came with an API
 * token without the `admin` scope.
 */
export function forbiddenPage(p: { base: string; username: string; tokenLacksScope?: boolean }): string {
  const why = p.tokenLacksScope
    ? `You came as <strong>${esc(p.username)}</strong> with an API token that lacks the <code>admin</code> scope. Log in
with your password, or use a token made with the admin scope.`
    : `You are logged in as <strong>${esc(p.username)}</strong>, who is not an admin. The admin console is for admins; ask one
to give you the admin role if you need it.`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Admins only · plothost</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2328}</style></head>
<body><main><h1>Admins only</h1>
<p>${why}</p>
<p><a href="${esc(`${p.base}/`)}">Back to plothost</a> · <a href="${esc(`${p.base}/logout`)}">Log in as someone else</a></p>
<p><small>HTTP 403 · ${p.tokenLacksScope ? "insufficient_scope" : "admin_required"}</small></p></main></body></html>
`;
}
