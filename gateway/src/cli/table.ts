/** Formats rows as left-aligned columns under a header, two spaces apart (what `list` commands print). */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** An ISO time as "2026-11-23 11:42" (UTC), or "-" for none. */
export function shortTime(iso: string | null | undefined): string {
  return iso ? iso.replace("T", " ").slice(0, 16) : "-";
}
