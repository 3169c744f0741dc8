import { value, type SpecKind } from "./specs.ts";

/** One glyph property: how values are written, and Bokeh's default (values equal to it are not written). */
export interface PropDef {
  kind: SpecKind;
  /** Bokeh's default; `REQUIRED` for coordinates that default to a column of their own name (always written). */
  default: unknown;
}

/** Marks a spec whose default is `field(<its own name>)`: Python always writes it. */
export const REQUIRED = Symbol("required");

/** How one glyph type is described to the renderer cascade. */
export interface GlyphType {
  name: string;
  /** Non-visual properties in declaration order (coordinates, sizes, angles, enums). */
  args: Readonly<Record<string, PropDef>>;
  /** Visual properties (`line_*`, `fill_*`, `hatch_*`, `text_*`, `global_*`) in declaration order. */
  visuals: Readonly<Record<string, PropDef>>;
}

const spec = (kind: SpecKind, dflt: unknown): PropDef => ({ kind, default: dflt });
const req = (kind: SpecKind = "number"): PropDef => ({ kind, default: REQUIRED });
const num = (dflt: unknown): PropDef => spec("number", dflt);
const plain = (dflt: unknown): PropDef => spec("plain", dflt);

function lineVisuals(scalar: boolean): Record<string, PropDef> {
  const k = (kind: SpecKind): SpecKind => (scalar ? "plain" : kind);
  return {
    line_color: spec(k("color"), "black"),
    line_alpha: spec(k("number"), 1),
    line_width: spec(k("number"), 1),
    line_join: spec(k("enum"), "bevel"),
    line_cap: spec(k("enum"), "butt"),
    line_dash: spec(k("enum"), []),
    line_dash_offset: spec(k("number"), 0),
  };
}

function fillVisuals(scalar: boolean): Record<string, PropDef> {
  return { fill_color: spec(scalar ? "plain" : "color", "gray"), fill_alpha: spec(scalar ? "plain" : "number", 1) };
}

const HATCH: Record<string, PropDef> = {
  hatch_color: spec("color", "black"),
  hatch_alpha: num(1),
  hatch_scale: num(12),
  hatch_pattern: spec("enum", null),
  hatch_weight: num(1),
};

const TEXT: Record<string, PropDef> = {
  text_color: spec("color", "#444444"),
  text_outline_color: spec("color", null),
  text_alpha: num(1),
  text_font: spec("string", value("helvetica")),
  text_font_size: spec("font_size", "16px"),
  text_font_style: spec("enum", "normal"),
  text_align: spec("enum", "left"),
  text_baseline: spec("enum", "bottom"),
  text_line_height: num(1.2),
};

const LINE_V = lineVisuals(false);
const LINE_S = lineVisuals(true);
const AREA = { ...LINE_V, ...fillVisuals(false), ...HATCH };

export const LINE: GlyphType = { name: "Line", args: { x: req(), y: req() }, visuals: LINE_S };

export const STEP: GlyphType = { name: "Step", args: { x: req(), y: req(), mode: plain("before") }, visuals: LINE_S };

export const SCATTER: GlyphType = {
  name: "Scatter",
  args: { x: req(), y: req(), hit_dilation: plain(1), size: num(4), angle: num(0), marker: spec("marker", "circle") },
  visuals: AREA,
};

export const CIRCLE: GlyphType = {
  name: "Circle",
  args: { x: req(), y: req(), radius: req(), radius_dimension: plain("x"), hit_dilation: plain(1) },
  visuals: AREA,
};

export const VBAR: GlyphType = { name: "VBar", args: { x: req(), width: num(1), bottom: num(0), top: req() }, visuals: AREA };

export const HBAR: GlyphType = { name: "HBar", args: { y: req(), height: num(1), left: num(0), right: req() }, visuals: AREA };

export const QUAD: GlyphType = { name: "Quad", args: { left: req(), right: req(), bottom: req(), top: req() }, visuals: AREA };

export const RECT: GlyphType = {
  name: "Rect",
  args: { x: req(), y: req(), width: req(), height: req(), angle: num(0), border_radius: plain(0), dilate: plain(false) },
  visuals: AREA,
};

export const VAREA: GlyphType = { name: "VArea", args: { x: req(), y1: req(), y2: req() }, visuals: { ...fillVisuals(true), ...HATCH } };

export const HAREA: GlyphType = { name: "HArea", args: { x1: req(), x2: req(), y: req() }, visuals: { ...fillVisuals(true), ...HATCH } };

export const PATCHES: GlyphType = { name: "Patches", args: { xs: req(), ys: req() }, visuals: AREA };

export const MULTI_LINE: GlyphType = { name: "MultiLine", args: { xs: req(), ys: req() }, visuals: LINE_V };

export const SEGMENT: GlyphType = { name: "Segment", args: { x0: req(), y0: req(), x1: req(), y1: req() }, visuals: LINE_V };

export const WEDGE: GlyphType = {
  name: "Wedge",
  args: { x: req(), y: req(), radius: req(), start_angle: req(), end_angle: req(), direction: plain("anticlock") },
  visuals: AREA,
};

export const TEXT_GLYPH: GlyphType = {
  name: "Text",
  args: {
    x: req(),
    y: req(),
    text: req("string"),
    angle: num(0),
    x_offset: num(0),
    y_offset: num(0),
    anchor: spec("enum", value("auto")),
    padding: plain(0),
    border_radius: plain(0),
    outline_shape: spec("enum", "box"),
    background_fill_color: spec("color", null),
    background_fill_alpha: num(1),
    background_hatch_color: spec("color", null),
    background_hatch_alpha: num(1),
    background_hatch_pattern: spec("enum", null),
    border_line_color: spec("color", null),
    border_line_alpha: num(1),
    border_line_width: num(1),
    border_line_dash: spec("enum", []),
  },
  visuals: TEXT,
};

export const IMAGE: GlyphType = {
  name: "Image",
  args: {
    image: req(),
    x: req(),
    y: req(),
    dw: req(),
    dh: req(),
    dilate: plain(false),
    origin: plain("bottom_left"),
    anchor: plain("bottom_left"),
    color_mapper: plain(undefined),
  },
  visuals: { global_alpha: num(1) },
};
