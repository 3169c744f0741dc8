export { ColumnDataSource, type ColumnDataSourceInit, type ColumnsInit, type PatchesInit } from "./column-data-source.ts";
export { Figure, figure, type FigureOptions, type LineOptions, type ScatterOptions } from "./figure.ts";
export type { GlyphOptions, SpecInput } from "./glyph-api.ts";
export { Slider, type SliderInit } from "./slider.ts";
export { Button, type ButtonInit } from "./button.ts";
export { Div, type DivInit } from "./div.ts";
export { column, row } from "./layouts.ts";
export { callable, type Callable } from "./callable.ts";
