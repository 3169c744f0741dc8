const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** The gateway's home page: the apps it serves, with their worker state. */
export function indexPage(apps: ReadonlyArray<{ name: string; state: string }>): string {
  const items = apps.map((a) => `<li><a href="/${esc(a.name)}">/${esc(a.name)}</a> <small>(${esc(a.state)})</small></li>`).join("\n");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>plothost</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem}</style></head>
<body><h1>plothost</h1><p>Apps on this server:</p><ul>
${items || "<li>none</li>"}
</ul></body></html>
`;
}
