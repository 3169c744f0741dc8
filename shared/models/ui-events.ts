import type { BokehEvent, Model } from "../document/index.ts";

/** Keys held during a pointer event. */
export interface KeyModifiers {
  shift: boolean;
  ctrl: boolean;
  alt: boolean;
}

/** Fields of every pointer event on a plot: screen (`sx`, `sy`) and data (`x`, `y`) coordinates. */
export interface PointEventValues {
  sx: number;
  sy: number;
  x: number;
  y: number;
  modifiers?: KeyModifiers;
}

/** The region a selection tool selected, as BokehJS sends it with a `selectiongeometry` event. */
export type SelectionGeometry =
  | { type: "point"; sx: number; sy: number; x: number; y: number }
  | { type: "span"; direction: "h" | "v"; sx: number; sy: number; x: number; y: number }
  | { type: "rect"; sx0: number; sx1: number; sy0: number; sy1: number; x0: number; x1: number; y0: number; y1: number }
  | { type: "poly"; sx: ArrayLike<number>; sy: ArrayLike<number>; x: ArrayLike<number>; y: ArrayLike<number> };

/**
 * The UI events BokehJS sends to the server (its `event_name`s) and their fields. A model only sends the events
 * listed in its `subscribed_events`, which `on_event` fills in. Document-level events (`document_ready`) go to
 * `doc.on_event`.
 */
export interface UIEventValues {
  button_click: Record<never, never>;
  menu_item_click: { item: string };
  value_submit: { value: string };
  legend_item_click: { item: Model };
  axis_click: { value: number | string };
  tap: PointEventValues;
  doubletap: PointEventValues;
  press: PointEventValues;
  pressup: PointEventValues;
  mousemove: PointEventValues;
  mouseenter: PointEventValues;
  mouseleave: PointEventValues;
  panstart: PointEventValues;
  pan: PointEventValues & { delta_x: number; delta_y: number };
  panend: PointEventValues;
  pinchstart: PointEventValues;
  pinch: PointEventValues & { scale: number };
  pinchend: PointEventValues;
  rotatestart: PointEventValues;
  rotate: PointEventValues & { rotation: number };
  rotateend: PointEventValues;
  wheel: PointEventValues & { delta: number };
  selectiongeometry: { geometry: SelectionGeometry; final: boolean };
  rangesupdate: { x0: number; x1: number; y0: number; y1: number };
  reset: Record<never, never>;
  lodstart: Record<never, never>;
  lodend: Record<never, never>;
  document_ready: Record<never, never>;
}

/** Python-style snake_case names accepted for the BokehJS names that run words together. */
export const EVENT_ALIASES = {
  selection_geometry: "selectiongeometry",
  double_tap: "doubletap",
  press_up: "pressup",
  mouse_move: "mousemove",
  mouse_enter: "mouseenter",
  mouse_leave: "mouseleave",
  pan_start: "panstart",
  pan_end: "panend",
  pinch_start: "pinchstart",
  pinch_end: "pinchend",
  rotate_start: "rotatestart",
  rotate_end: "rotateend",
  mouse_wheel: "wheel",
  ranges_update: "rangesupdate",
  lod_start: "lodstart",
  lod_end: "lodend",
} as const satisfies Record<string, keyof UIEventValues>;

/** Every event name `on_event` accepts. */
export type EventName = keyof UIEventValues | keyof typeof EVENT_ALIASES;

/** The BokehJS name of an event name (aliases resolved). */
export type CanonicalEventName<E extends EventName> = E extends keyof typeof EVENT_ALIASES ? (typeof EVENT_ALIASES)[E] : E;

/**
 * What an `on_event` callback receives: the generic event (`name`, `model`, `values`) with the event's fields also
 * spread on it, as Python's event objects have them (`event.x`, `event.geometry`).
 */
export type UIEvent<E extends EventName> = BokehEvent & {
  readonly name: CanonicalEventName<E>;
  readonly values: Readonly<UIEventValues[CanonicalEventName<E>]>;
} & Readonly<UIEventValues[CanonicalEventName<E>]>;

/** The BokehJS name for `name`; unknown names pass through unchanged (custom events). */
export function canonicalEventName(name: string): string {
  return (EVENT_ALIASES as Record<string, string>)[name] ?? name;
}

/** BokehJS sends plain objects (a selection's `geometry`, `modifiers`) as maps; Python reads them as dicts. */
function plain(value: unknown): unknown {
  if (value instanceof Map && [...value.keys()].every((k) => typeof k === "string")) {
    return Object.fromEntries([...value].map(([k, v]) => [k, plain(v)]));
  }
  return Array.isArray(value) ? value.map(plain) : value;
}

/** The typed view of a generic event: nested maps as plain objects, the values also spread onto the event. */
export function toUIEvent<E extends EventName>(event: BokehEvent): UIEvent<E> {
  const values = plain(new Map(Object.entries(event.values))) as Record<string, unknown>;
  return { ...values, name: event.name, model: event.model, values } as unknown as UIEvent<E>;
}
