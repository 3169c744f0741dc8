import type { ColumnData, ColumnPatches } from "./column-data.ts";
import type { Model } from "./model.ts";

/**
 * Every change a document announces to its `on_change` listeners, tagged by `kind` like the PATCH-DOC events
 * they serialize to (PROTOCOL.md §6). `setter` is whoever caused the change (a session/connection object for
 * changes that came from a client, undefined for app code), so a session can skip echoing a client's own changes.
 */
export type DocumentChangedEvent =
  | ModelChangedEvent
  | ColumnDataChangedEvent
  | ColumnsStreamedEvent
  | ColumnsPatchedEvent
  | RootAddedEvent
  | RootRemovedEvent
  | TitleChangedEvent
  | MessageSentEvent;

/** An attribute of an attached model changed (`model.set`). */
export interface ModelChangedEvent {
  kind: "ModelChanged";
  model: Model;
  attr: string;
  new: unknown;
  /** The previous value (not serialized; handy for listeners). */
  old: unknown;
  setter: unknown;
}

/** A data source's columns were replaced (all, or those in `cols`). */
export interface ColumnDataChangedEvent {
  kind: "ColumnDataChanged";
  model: Model;
  attr: string;
  /** The new columns: all of them when `cols` is null, else only those listed. */
  data: ColumnData;
  cols: string[] | null;
  setter: unknown;
}

/** Rows were appended to a data source (`stream`). */
export interface ColumnsStreamedEvent {
  kind: "ColumnsStreamed";
  model: Model;
  attr: string;
  /** The appended rows per column (not the whole columns). */
  data: ColumnData;
  rollover: number | null;
  setter: unknown;
}

/** Values of a data source were replaced in place (`patch`). */
export interface ColumnsPatchedEvent {
  kind: "ColumnsPatched";
  model: Model;
  attr: string;
  patches: ColumnPatches;
  setter: unknown;
}

/** A root was added; serialized with the model in full. */
export interface RootAddedEvent {
  kind: "RootAdded";
  model: Model;
  setter: unknown;
}

/** A root was removed. */
export interface RootRemovedEvent {
  kind: "RootRemoved";
  model: Model;
  setter: unknown;
}

/** The document title changed. */
export interface TitleChangedEvent {
  kind: "TitleChanged";
  title: string;
  setter: unknown;
}

/** A message for the client: `bokeh_event` for UI events, any other msg_type for BokehJS `on_message` handlers. */
export interface MessageSentEvent {
  kind: "MessageSent";
  msg_type: string;
  msg_data: unknown;
  setter: unknown;
}

/** The document's model-attachment epoch when each event was emitted (see `serializeEvents`). */
const epochs = new WeakMap<DocumentChangedEvent, number>();

/** @internal stamps an event with the epoch before the change it describes attached any model. */
export function stampEvent(event: DocumentChangedEvent, epoch: number): void {
  epochs.set(event, epoch);
}

/** @internal the stamp of an event, or undefined for events not emitted by a Document. */
export function eventEpoch(event: DocumentChangedEvent): number | undefined {
  return epochs.get(event);
}
