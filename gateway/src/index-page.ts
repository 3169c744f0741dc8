import type { Request, Response, NextFunction } from "express";

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** The gateway's home page: the apps it serves, with their worker state; links are under `mount` (the URL prefix). */
export function indexPage(apps: ReadonlyArray<{ name: string; state: string }>, mount = ""): string {
  const items = apps.map((a) => `<li><a href="${esc(mount)}/${esc(a.name)}">/${esc(a.name)}</a> <small>(${esc(a.state)})</small></li>`).join("\n");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>plothost</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}</style></head>
<body><h1>plothost</h1><p>Apps on this server:</p><ul>
${items || "<li>none</li>"}
</ul></body></html>
`;
}

/**
 * `GET /` as `bokeh serve` answers it: with exactly one app, a redirect to it (unless `disableIndexRedirect`);
 * otherwise the index page. With `disableIndex` there is no route at all (the caller does not mount it: 404).
 */
export function indexRoute(opts: { disableIndexRedirect: boolean; apps: () => ReadonlyArray<{ name: string; state: string }> }) {
  return (req: Request, res: Response, _next: NextFunction): void => {
    const apps = opts.apps();
    if (apps.length === 1 && !opts.disableIndexRedirect) return void res.redirect(302, `${req.baseUrl}/${apps[0]!.name}`);
    res.type("html").send(indexPage(apps, req.baseUrl));
  };
}
