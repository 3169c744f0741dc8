// The public package entry ("plothost"): app code imports the document API and the model helpers from here.
export * from "./document/index.ts";
export * from "./models/index.ts";
