import { describe, expect, it } from "vitest";
import { ColumnDataSource, DataTable, Document, Model, TableColumn, column, figure, runWithDocument } from "../../../shared/index.ts";
import { prepareLargeSources } from "../../../gateway/src/docs/large-sources.ts";

const N = 8000; // over the 5,000 visible points a scatter is sent as points
const THRESHOLD = 1000;
const t = Float64Array.from({ length: N }, (_, i) => i);
const v = t.map((x) => Math.sin(x / 50));

/** A published document as the gateway loads it: built here, then through JSON like the store's copy. */
function loaded(build: () => Model): Document {
  const doc = new Document();
  runWithDocument(doc, () => doc.add_root(build()));
  return Document.from_json(doc.to_json());
}

const rows = (doc: Document, name: string): number => {
  const data = doc.get_model_by_name(name)!.get<Map<string, ArrayLike<unknown>>>("data");
  return [...data.values()][0].length;
};

describe("which sources of a published document are downsampled", () => {
  it("downsamples a line or scatter source over the threshold, and leaves smaller ones whole", () => {
    const doc = loaded(() => {
      const p = figure({ width: 300, height: 300 });
      p.line({ x: "t", y: "v", source: new ColumnDataSource({ name: "big", data: { t, v } }) });
      p.scatter({ x: "t", y: "v", source: new ColumnDataSource({ name: "cloud", data: { t: v, v: t } }) });
      p.line({ x: "t", y: "v", source: new ColumnDataSource({ name: "small", data: { t: t.slice(0, 999), v: v.slice(0, 999) } }) });
      return p;
    });
    const large = prepareLargeSources(doc, THRESHOLD).sort((a, b) => String(a.source.get("name")).localeCompare(String(b.source.get("name"))));
    expect(large.map((l) => [l.source.get("name"), l.mode])).toEqual([["big", "line"], ["cloud", "scatter"]]);
    expect(rows(doc, "big")).toBeLessThanOrEqual(2 * 240 + 2);
    expect(rows(doc, "cloud")).toBe(0); // an image of counts instead
    expect(large[0].full.get("t")).toBe(large[0].x); // the full typed column, not a copy
    expect(rows(doc, "small")).toBe(999);
    // Thresholds of 0 turn it off.
    expect(prepareLargeSources(loaded(() => {
      const p = figure();
      p.line({ x: "t", y: "v", source: new ColumnDataSource({ data: { t, v } }) });
      return p;
    }), 0)).toEqual([]);
  });

  it("leaves whole a source it cannot downsample: in two plots, in a DataTable, unsorted line x, non-numeric x", () => {
    const doc = loaded(() => {
      const shared = new ColumnDataSource({ name: "two-plots", data: { t, v } });
      const [a, b] = [figure(), figure()];
      a.line({ x: "t", y: "v", source: shared });
      b.line({ x: "t", y: "v", source: shared });
      const tabled = new ColumnDataSource({ name: "tabled", data: { t, v } });
      const c = figure();
      c.line({ x: "t", y: "v", source: tabled });
      const table = new DataTable({ source: tabled, columns: [new TableColumn({ field: "t" })] });
      const d = figure();
      d.line({ x: "t", y: "v", source: new ColumnDataSource({ name: "unsorted", data: { t: v, v: t } }) });
      const e = figure();
      e.scatter({ x: "label", y: "v", source: new ColumnDataSource({ name: "text-x", data: { label: Array.from(t, String), v } }) });
      return column(a, b, c, table, d, e);
    });
    expect(prepareLargeSources(doc, THRESHOLD)).toEqual([]);
    for (const name of ["two-plots", "tabled", "unsorted", "text-x"]) expect(rows(doc, name)).toBe(N);
  });
});
