// The public package entry ("plothost"): app code imports the document API and the model helpers from here.
export * from "./document/index.ts";
export * from "./models/index.ts";
// `Column` is the layout (as in Python); the document layer's column-data type is exported as `DataColumn`.
export { Column } from "./models/index.ts";
export type { Column as DataColumn } from "./document/index.ts";
