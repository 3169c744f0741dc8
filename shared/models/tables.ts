import { Model } from "../document/index.ts";
import { defineModel, type ModelProps } from "./bokeh-model.ts";
import { MODEL_DEFAULTS, WIDGET_DEFAULTS, type LayoutProps } from "./common-props.ts";
import { CDSView } from "./renderers.ts";

type Align = "left" | "right" | "center";

/** StringFormatter attributes (the default cell formatter). */
export interface StringFormatterProps extends ModelProps {
  font_style: "normal" | "italic" | "bold" | "bold italic";
  text_align: Align;
  text_color: string | null;
  background_color: string | null;
  nan_format: string;
  null_format: string;
}
const STRING_FORMAT = {
  ...MODEL_DEFAULTS, font_style: "normal", text_align: "left", text_color: null, background_color: null, nan_format: "NaN", null_format: "(null)",
} as const;

export const StringFormatter = defineModel<StringFormatterProps>("StringFormatter", STRING_FORMAT);
export type StringFormatter = InstanceType<typeof StringFormatter>;

/** NumberFormatter attributes: `format` is a numbro format ("0,0.00", "0.0%", "$0,0"). */
export interface NumberFormatterProps extends StringFormatterProps {
  format: string;
  language: string;
  rounding: "round" | "nearest" | "floor" | "rounddown" | "ceil" | "roundup";
}
export const NumberFormatter = defineModel<NumberFormatterProps>("NumberFormatter", {
  ...STRING_FORMAT, nan_format: "-", null_format: "-", format: "0,0", language: "en", rounding: "round",
});

/** DateFormatter attributes: `format` is a strftime string or a name such as "ISO-8601". Cells hold epoch ms. */
export interface DateFormatterProps extends StringFormatterProps {
  format: string;
}
export const DateFormatter = defineModel<DateFormatterProps>("DateFormatter", { ...STRING_FORMAT, nan_format: "-", null_format: "-", format: "ISO-8601" });

/** HTMLTemplateFormatter: an underscore.js template, e.g. `<b><%= value %></b>`. */
export const HTMLTemplateFormatter = defineModel<ModelProps & { template: string }>("HTMLTemplateFormatter", { ...MODEL_DEFAULTS, template: "<%= value %>" });

/** Cell editors for editable tables. */
export const StringEditor = defineModel<ModelProps & { completions: string[] }>("StringEditor", { ...MODEL_DEFAULTS, completions: [] });
export const TextEditor = defineModel<ModelProps>("TextEditor", MODEL_DEFAULTS);
export const SelectEditor = defineModel<ModelProps & { options: string[] }>("SelectEditor", { ...MODEL_DEFAULTS, options: [] });
export const IntEditor = defineModel<ModelProps & { step: number }>("IntEditor", { ...MODEL_DEFAULTS, step: 1 });
export const NumberEditor = defineModel<ModelProps & { step: number }>("NumberEditor", { ...MODEL_DEFAULTS, step: 0.01 });
export const CheckboxEditor = defineModel<ModelProps>("CheckboxEditor", MODEL_DEFAULTS);
export const DateEditor = defineModel<ModelProps>("DateEditor", MODEL_DEFAULTS);

/** TableColumn attributes: the column `field` of the table's source, shown under `title`. */
export interface TableColumnProps extends ModelProps {
  field: string;
  title: string | null;
  width: number;
  formatter: Model;
  editor: Model;
  sortable: boolean;
  default_sort: "ascending" | "descending";
  visible: boolean;
}

/** Bokeh's TableColumn; like Python it writes a StringFormatter and a StringEditor unless given others. */
export const TableColumn = defineModel<TableColumnProps, "field">("TableColumn", {
  ...MODEL_DEFAULTS,
  field: undefined,
  title: null,
  width: 300,
  formatter: undefined,
  editor: undefined,
  sortable: true,
  default_sort: "ascending",
  visible: true,
}, { create: () => ({ formatter: new StringFormatter(), editor: new StringEditor() }) });
export type TableColumn = InstanceType<typeof TableColumn>;

/** DataTable attributes. Edits made in the browser (`editable: true`) reach the source as patches. */
export interface DataTableProps extends LayoutProps {
  source: Model;
  view: Model;
  autosize_mode: "fit_columns" | "fit_viewport" | "force_fit" | "none";
  auto_edit: boolean;
  columns: Model[];
  fit_columns: boolean | null;
  frozen_columns: number | null;
  frozen_rows: number | null;
  sortable: boolean;
  reorderable: boolean;
  editable: boolean;
  selectable: boolean | "checkbox";
  index_position: number | null;
  index_header: string;
  index_width: number;
  scroll_to_selection: boolean;
  header_row: boolean;
  row_height: number;
}

/** Bokeh's DataTable; like Python it writes a CDSView unless given one. */
export const DataTable = defineModel<DataTableProps, "source" | "columns">("DataTable", {
  ...WIDGET_DEFAULTS,
  width: 600,
  height: 400,
  source: undefined,
  view: undefined,
  autosize_mode: "force_fit",
  auto_edit: false,
  columns: undefined,
  fit_columns: null,
  frozen_columns: null,
  frozen_rows: null,
  sortable: true,
  reorderable: true,
  editable: false,
  selectable: true,
  index_position: 0,
  index_header: "#",
  index_width: 40,
  scroll_to_selection: true,
  header_row: true,
  row_height: 25,
}, { create: () => ({ view: new CDSView() }) });
export type DataTable = InstanceType<typeof DataTable>;
