import type { DocRow } from "../view-types.ts";
import { badge, bytes, esc, table, when } from "./html.ts";
import { layout, type PageFrame } from "./layout.ts";

const VIS_KIND = { public: "warn", shared: "idle", private: "ok" } as const;

/** Documents: every published document with owner, visibility and size; filter; change visibility; delete. */
export function docsPage(f: PageFrame, docs: readonly DocRow[], filter: { q: string; owner: string; visibility: string }): string {
  const rows = docs.map((d) => {
    const opts = (["private", "public", "shared"] as const)
      .map((v) => `<option value="${v}"${d.visibility === v ? " selected" : ""}>${v}</option>`).join("");
    const selectId = `vis-${d.id}`;
    return `<tr data-doc-row="${esc(d.id)}">
<th scope="row"><a href="${esc(d.url)}">${esc(d.name)}</a>${d.title && d.title !== d.name ? `<br><small class="muted">${esc(d.title)}</small>` : ""}</th>
<td><code>${esc(d.id)}</code></td>
<td>${esc(d.owner)}</td>
<td>${badge(d.visibility, VIS_KIND[d.visibility])}${d.visibility === "shared" && d.sharedWith.length > 0 ? `<br><small>with ${esc(d.sharedWith.join(", "))}</small>` : ""}
${d.publicUrl ? `<br><a href="${esc(d.publicUrl)}" class="small-link">public link</a>` : ""}</td>
<td class="num">${bytes(d.sizeBytes)}</td>
<td class="num">${d.viewers}</td>
<td>${when(d.updatedAt)}</td>
<td><form class="inline" data-action="set-visibility" data-doc="${esc(d.id)}" data-name="${esc(d.name)}">
<label for="${esc(selectId)}" class="vh">Visibility of ${esc(d.name)}</label>
<select id="${esc(selectId)}" name="visibility">${opts}</select>
<button type="submit" class="small">Apply</button></form>
<button type="button" class="small danger" data-action="delete-doc" data-doc="${esc(d.id)}" data-name="${esc(d.name)}" data-owner="${esc(d.owner)}" aria-label="Delete ${esc(d.name)}">Delete</button></td>
</tr>`;
  });
  const opt = (v: string, label: string) => `<option value="${v}"${filter.visibility === v ? " selected" : ""}>${esc(label)}</option>`;
  const body = `<form role="search" class="filters" method="get" action="${esc(`${f.base}/admin/docs`)}">
<label for="doc-q">Search</label><input type="search" id="doc-q" name="q" value="${esc(filter.q)}" placeholder="name, title or id">
<label for="doc-owner">Owner</label><input type="text" id="doc-owner" name="owner" value="${esc(filter.owner)}" autocomplete="off">
<label for="doc-vis">Visibility</label><select id="doc-vis" name="visibility">${opt("", "any")}${opt("private", "private")}${opt("public", "public")}${opt("shared", "shared")}</select>
<button type="submit">Filter</button>
</form>
${table("Published documents", ["Name", "Id", "Owner", "Visibility", "Size", "Viewers", "Updated", "Actions"], rows, "No published document matches.")}`;
  return layout(f, { section: "docs", title: "Documents", body });
}
