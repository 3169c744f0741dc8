/** HTML building blocks shared by the console's server-rendered pages. Every value passes through `esc`. */

export const esc = (v: unknown): string =>
  String(v ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** `2026-11-23 11:29 UTC` in a `<time>` element (machine-readable ISO in `datetime`), or `never`. */
export function when(iso: string | null, never = "never"): string {
  if (!iso) return `<span class="muted">${esc(never)}</span>`;
  const d = new Date(iso);
  const text = Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  return `<time datetime="${esc(iso)}">${esc(text)}</time>`;
}

/** How long ago `iso` was, relative to `now`: `12 s`, `4 min`, `3 h`, `2 d`. */
export function age(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

/** Bytes in B, KiB, MiB or GiB (null: a dash). */
export function bytes(n: number | null): string {
  if (n === null) return "–";
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** A coloured status word; `live` makes the refresher keep it current. */
export function badge(text: string, kind: string, live?: string): string {
  return `<span class="badge badge-${esc(kind)}"${live ? ` data-live="${esc(live)}"` : ""}>${esc(text)}</span>`;
}

/**
 * A table in a labelled, keyboard-focusable region that scrolls sideways when it must. Each row's cells (the
 * `<th>`/`<td>` elements of the row strings, never nested) get their column's name as `data-label`, which
 * narrow screens show next to the value when the stylesheet turns rows into cards.
 */
export function table(label: string, head: readonly string[], rows: readonly string[], empty: string, id?: string): string {
  const labelled = rows.map((row) => {
    let i = 0;
    return row.replace(/<t([hd])(?=[\s>])/g, (m, kind: string) => (i < head.length ? `<t${kind} data-label="${esc(head[i++])}"` : m));
  });
  const body = labelled.length > 0 ? labelled.join("\n") : `<tr><td colspan="${head.length}" class="empty">${esc(empty)}</td></tr>`;
  return `<div class="table-wrap" role="region" aria-label="${esc(label)}" tabindex="0"${id ? ` id="${esc(id)}"` : ""}>
<table class="cards"><caption class="vh">${esc(label)}</caption>
<thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join("")}</tr></thead>
<tbody>
${body}
</tbody></table></div>`;
}

/** A query string from the non-empty values (`?a=1&b=x`), or "" when all are empty. */
export function query(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}
