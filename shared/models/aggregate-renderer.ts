import { Model, NDArray, type Column, type TypedArray } from "../document/index.ts";
import type { AggregateImage } from "../downsample/index.ts";
import { ColumnDataSource } from "./column-data-source.ts";
import { LogColorMapper } from "./mappers.ts";
import type { Palette, PaletteName } from "./palettes.ts";
import { CDSView, GlyphRenderer } from "./renderers.ts";
import { HoverTool } from "./tools.ts";

/** The aggregate source's columns when no image is shown. */
export const emptyAggregateColumns = (): Map<string, Column> =>
  new Map<string, Column>([["image", []], ...["x", "y", "dw", "dh"].map((name): [string, Column] => [name, new Float64Array(0)])]);
const EMPTY = emptyAggregateColumns;

const DTYPES = new Map<unknown, string>([[Uint8Array, "uint8"], [Uint16Array, "uint16"], [Uint32Array, "uint32"]]);

/** The aggregate source's columns showing `image`: one 2-D count array placed over the visible rectangle. */
export function aggregateColumns(image: AggregateImage): Map<string, Column> {
  const dtype = DTYPES.get(image.counts.constructor) ?? "uint32";
  return new Map<string, Column>([
    ["image", [new NDArray({ data: image.counts as TypedArray, dtype, shape: [image.ny, image.nx] })]],
    ["x", Float64Array.of(image.x0)],
    ["y", Float64Array.of(image.y0)],
    ["dw", Float64Array.of(image.dw)],
    ["dh", Float64Array.of(image.dh)],
  ]);
}

/**
 * Browser-side formatter of the hovered bin's edges along one axis, from the image's own columns (its origin, its
 * extent, and its shape) and the bin BokehJS found under the pointer (`special_vars.image_index`: `i` across, `j` up).
 */
const binEdgesCode = (axis: "x" | "y"): string => `
const d = source.data;
const nd = d.image[0];
const at = special_vars.image_index;
if (nd == null || at == null) return "";
const n = nd.shape[${axis === "x" ? 1 : 0}];
const step = d.${axis === "x" ? "dw" : "dh"}[0] / n;
const lo = d.${axis}[0] + at.${axis === "x" ? "i" : "j"} * step;
const f = (v) => Number(v.toPrecision(6));
return "[" + f(lo) + ", " + f(lo + step) + ")";
`;

/**
 * The models that show a downsampled scatter's aggregate: an Image glyph over its own ColumnDataSource, coloured by
 * a LogColorMapper (empty bins transparent), and a HoverTool whose tooltip reports the bin under the pointer: its
 * count (`@image` is the image's value there) and its x and y range in data units (computed in the browser from the
 * image's origin, extent and shape, so nothing more is sent per view).
 */
export class AggregateRenderer {
  readonly source: ColumnDataSource;
  readonly renderer: GlyphRenderer;
  readonly hover: HoverTool;
  private empty = true;

  constructor(palette: Palette | PaletteName) {
    this.source = new ColumnDataSource({ data: EMPTY() });
    const mapper = new LogColorMapper({ palette, low: 1, low_color: "rgba(0, 0, 0, 0)" });
    // Image's x, y, dw, dh and image read the columns of the same names by default.
    const glyph = new Model("Image", { color_mapper: mapper });
    this.renderer = new GlyphRenderer({ data_source: this.source, view: new CDSView(), glyph });
    const edges = (axis: "x" | "y"): Model => new Model("CustomJSHover", { args: { source: this.source }, code: binEdgesCode(axis) });
    this.hover = new HoverTool({
      renderers: [this.renderer],
      tooltips: [["count", "@image"], ["x", "$x{custom}"], ["y", "$y{custom}"]],
      formatters: { $x: edges("x"), $y: edges("y") },
    });
  }

  /** Shows `image` (replacing the previous one in a single data change). */
  show(image: AggregateImage): void {
    this.source.data = aggregateColumns(image);
    this.empty = false;
  }

  /** Removes the image (no change is sent when there is none). */
  clear(): void {
    if (this.empty) return;
    this.source.data = EMPTY();
    this.empty = true;
  }
}
