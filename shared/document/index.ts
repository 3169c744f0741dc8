export { Document, BOKEH_VERSION, DEFAULT_TITLE } from "./document.ts";
export type { DocJson, ErrorHandler, CallbackInvoker } from "./document.ts";
export { Model, collectModels } from "./model.ts";
export type { BokehEvent, ChangeCallback, EventCallback, ModelOptions } from "./model.ts";
export { NDArray, isTypedArray, dtypeOf } from "./ndarray.ts";
export type { TypedArray, TypedDType, NDArrayInit } from "./ndarray.ts";
export { DocumentError } from "./errors.ts";
export type { DocumentErrorCode } from "./errors.ts";
export type {
  DocumentChangedEvent,
  ModelChangedEvent,
  ColumnDataChangedEvent,
  ColumnsStreamedEvent,
  ColumnsPatchedEvent,
  RootAddedEvent,
  RootRemovedEvent,
  TitleChangedEvent,
  MessageSentEvent,
} from "./events.ts";
export { serializeEvents } from "./serialize-events.ts";
export { Serializer, type Serialized, type SerializedBuffer, type SerializerOptions } from "./serializer.ts";
export { Deserializer, type DeserializerOptions } from "./deserializer.ts";
export { curdoc, runWithDocument } from "./curdoc.ts";
export { registerModelType, createModel, type ModelFactory } from "./registry.ts";
export { nextId } from "./ids.ts";
export type { SessionCallbackHandle, SessionCallbackKind } from "./session-callbacks.ts";
export {
  toColumnData,
  toColumnPatches,
  toSlice,
  streamColumns,
  typedLikeColumns,
  patchColumns,
  columnLength,
  type Column,
  type ColumnData,
  type ColumnPatches,
  type PatchIndex,
  type Slice,
} from "./column-data.ts";
