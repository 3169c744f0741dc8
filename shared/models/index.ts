// The typed, Python-like plotting and widget API. Importing this module registers every class below, so
// `Document.from_json` builds them (with their methods) for parsed documents.
export { BokehModel, defineModel, finishModel } from "./bokeh-model.ts";
export type { Defaults, InitOf, ModelArgs, ModelExtras, ModelProps, TypedChangeCallback, TypedModel, TypedModelClass } from "./bokeh-model.ts";
export type { Align, Anchor, LayoutProps, Location, Margin, SizingMode, SizingPolicy } from "./common-props.ts";
export { EVENT_ALIASES, canonicalEventName } from "./ui-events.ts";
export type { CanonicalEventName, EventName, KeyModifiers, PointEventValues, SelectionGeometry, UIEvent, UIEventValues } from "./ui-events.ts";

export { ColumnDataSource, type ColumnDataSourceInit, type ColumnDataSourceProps, type ColumnsInit, type PatchesInit } from "./column-data-source.ts";
export { Figure, figure } from "./figure.ts";
export type { ActiveTool, FigureOnlyOptions, FigureOptions, PlotProps, RangeInit } from "./plot-props.ts";
export type * from "./glyph-options.ts";
export { field, value, MARKER_TYPES } from "./specs.ts";
export type { AlphaSpec, ColorSpec, ColumnValues, FieldSpec, MarkerType, NumberSpec, SpecInput, StringSpec, TaggedSpec, ValueSpec } from "./specs.ts";
export { splat, type Splat } from "./splat.ts";
export { CDSView, Grid, GlyphRenderer, Legend, LegendItem, Selection, Title } from "./renderers.ts";
export { CategoricalAxis, DatetimeAxis, LinearAxis, LogAxis, type Axis, type AxisProps, type AxisType } from "./axes.ts";
export {
  BoxSelectTool, BoxZoomTool, CrosshairTool, DEFAULT_TOOLS, HelpTool, HoverTool, LassoSelectTool, PanTool, PolySelectTool, ResetTool, SaveTool,
  TapTool, WheelZoomTool,
} from "./tools.ts";
export type { ToolName, Tooltips, ToolsInit } from "./tools.ts";
export { Blues, Category10, Category20, Greys, Spectral, Viridis, Viridis256, linear_palette, palette, type Palette, type PaletteName } from "./palettes.ts";
export {
  CategoricalColorMapper, CategoricalMarkerMapper, LinearColorMapper, LogColorMapper, factor_cmap, factor_mark, linear_cmap, log_cmap,
} from "./mappers.ts";
export type { ContinuousCmapOptions, FactorCmapOptions, Factor } from "./mappers.ts";

export { Button, Dropdown, Toggle, type AbstractButtonProps, type ButtonType, type DropdownProps, type MenuItem, type ToggleProps } from "./buttons.ts";
export { RangeSlider, Slider, type RangeSliderProps, type SliderProps } from "./sliders.ts";
export { DatePicker, MultiSelect, NumericInput, Select, TextAreaInput, TextInput } from "./inputs.ts";
export type { DateLike, DatePickerProps, MultiSelectProps, NumericInputProps, SelectOptions, SelectProps, TextAreaInputProps, TextInputProps } from "./inputs.ts";
export { CheckboxGroup, RadioGroup, type CheckboxGroupProps, type RadioGroupProps } from "./groups.ts";
export { Div, Paragraph, PreText, type DivProps, type MarkupProps } from "./markups.ts";
export {
  CheckboxEditor, DataTable, DateEditor, DateFormatter, HTMLTemplateFormatter, IntEditor, NumberEditor, NumberFormatter, SelectEditor,
  StringEditor, StringFormatter, TableColumn, TextEditor,
} from "./tables.ts";
export type { DataTableProps, TableColumnProps } from "./tables.ts";
export { Column, GridPlot, Row, Spacer, TabPanel, Tabs, column, gridplot, row } from "./layouts.ts";
export type { FlexBoxProps, FlexOptions, GridplotOptions, TabPanelProps, TabsProps } from "./layouts.ts";
export { CustomJS, type CustomJSProps } from "./callbacks.ts";
export { applyTheme, type Theme } from "./theme.ts";
export { modelAncestry } from "./model-hierarchy.ts";
export { callable, type Callable } from "./callable.ts";
export { DownsampledSource, type DownsampledSourceInit, type DownsampleMode } from "./downsampled-source.ts";
