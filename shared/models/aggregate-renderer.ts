import { Model, NDArray, type Column, type TypedArray } from "../document/index.ts";
import type { AggregateImage } from "../downsample/index.ts";
import { ColumnDataSource } from "./column-data-source.ts";
import { LogColorMapper } from "./mappers.ts";
import type { Palette, PaletteName } from "./palettes.ts";
import { CDSView, GlyphRenderer } from "./renderers.ts";
import { HoverTool } from "./tools.ts";

const EMPTY = (): Map<string, Column> =>
  new Map<string, Column>([["image", []], ...["x", "y", "dw", "dh"].map((name): [string, Column] => [name, new Float64Array(0)])]);

const DTYPES = new Map<unknown, string>([[Uint8Array, "uint8"], [Uint16Array, "uint16"], [Uint32Array, "uint32"]]);

/**
 * The models that show a downsampled scatter's aggregate: an Image glyph over its own ColumnDataSource, coloured by
 * a LogColorMapper (empty bins transparent), and a HoverTool whose tooltip reports the count of the bin under the
 * pointer (`@image` is the image's value there).
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
    this.hover = new HoverTool({ renderers: [this.renderer], tooltips: [["count", "@image"]] });
  }

  /** Shows `image` (replacing the previous one in a single data change). */
  show(image: AggregateImage): void {
    const dtype = DTYPES.get(image.counts.constructor) ?? "uint32";
    const data = new NDArray({ data: image.counts as TypedArray, dtype, shape: [image.ny, image.nx] });
    this.source.data = {
      image: [data],
      x: Float64Array.of(image.x0),
      y: Float64Array.of(image.y0),
      dw: Float64Array.of(image.dw),
      dh: Float64Array.of(image.dh),
    };
    this.empty = false;
  }

  /** Removes the image (no change is sent when there is none). */
  clear(): void {
    if (this.empty) return;
    this.source.data = EMPTY();
    this.empty = true;
  }
}
