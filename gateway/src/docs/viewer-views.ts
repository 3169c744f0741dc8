import { serializeEvents, type Document, type DocumentChangedEvent, type Model } from "../../../shared/index.ts";
import type { View, Viewport } from "../../../shared/downsample/index.ts";
import { aggregateColumns, emptyAggregateColumns } from "../../../shared/models/aggregate-renderer.ts";
import { readViewport, sameViewport } from "../../../shared/models/plot-viewport.ts";
import type { SessionSubscriber } from "../../../shared/session/server-session.ts";
import { largeView, viewColumns, type LargeSource } from "./large-sources.ts";

/** What one viewer's browser reported of one plot: its ranges' ends and its frame size (unset: the document's). */
interface PlotState {
  x?: [start?: number, end?: number];
  y?: [start?: number, end?: number];
  width?: number;
  height?: number;
}

/** One viewer's view of the large sources: its plots' states, what it was last sent, and its pending update. */
interface ViewerState {
  readonly plots: Map<string, PlotState>;
  readonly last: Map<LargeSource, { viewport: Viewport | null; kind: View["kind"]; pointsEmpty: boolean }>;
  readonly dirty: Set<LargeSource>;
  timer: NodeJS.Timeout | null;
}

interface EventLike {
  kind?: unknown;
  attr?: unknown;
  model?: { id?: unknown } | null;
  new?: unknown;
}

/**
 * Per-viewer downsampled views of a published document's large sources. Pan, zoom and layout stay with the viewer
 * who made them (they are not stored or shared), so each viewer's ranges and frame size are kept here, and after
 * they change (coalesced: at most one update per `debounceMs` while they keep changing, one after they stop) the
 * viewer alone gets a PATCH-DOC with the view of what it now shows. Until then it keeps the previous view.
 */
export class ViewerViews {
  private large: LargeSource[] = [];
  private readonly viewers = new Map<SessionSubscriber, ViewerState>();

  constructor(private readonly deps: {
    /** Runs `fn` under the session's document lock, on the current live document. */
    run: (fn: (doc: Document) => void) => Promise<void>;
    debounceMs: number;
    binaryThresholdBytes: number;
    onError: (err: unknown) => void;
  }) {}

  /** The large sources of the (new) live document; every viewer's state starts afresh. */
  reset(large: LargeSource[]): void {
    for (const state of this.viewers.values()) if (state.timer) clearTimeout(state.timer);
    this.viewers.clear();
    this.large = large;
  }

  /** True when `modelId` is one of the large sources or their aggregate images (their data is per viewer). */
  covers(modelId: string): boolean {
    return this.large.some((l) => l.source.id === modelId || l.aggregate?.source.id === modelId);
  }

  /** Takes note of a viewer's view-local events (ranges, frame size) and schedules its update when they matter. */
  observe(viewer: SessionSubscriber, events: readonly unknown[]): void {
    if (this.large.length === 0) return;
    let state = this.viewers.get(viewer);
    for (const raw of events) {
      const e = raw as EventLike;
      if (e?.kind !== "ModelChanged" || typeof e.model?.id !== "string" || typeof e.new !== "number" || !Number.isFinite(e.new)) continue;
      const id = e.model.id;
      for (const large of this.large) {
        const plotState = (): PlotState => {
          state ??= this.stateOf(viewer);
          let p = state.plots.get(large.plot.id);
          if (!p) state.plots.set(large.plot.id, (p = {}));
          state.dirty.add(large);
          return p;
        };
        if (id === large.plot.id && e.attr === "inner_width") plotState().width = e.new;
        else if (id === large.plot.id && e.attr === "inner_height") plotState().height = e.new;
        else if (e.attr === "start" || e.attr === "end") {
          const end = e.attr === "start" ? 0 : 1;
          for (const axis of ["x", "y"] as const) {
            if (large.plot.get<{ id?: string } | null>(`${axis}_range`)?.id !== id) continue;
            if (axis === "y" && large.mode === "line") continue; // a line follows x only
            const p = plotState();
            const pair = (p[axis] ??= []);
            pair[end] = e.new;
          }
        }
      }
    }
    if (state && state.dirty.size > 0 && state.timer === null) {
      const s = state;
      s.timer = setTimeout(() => {
        s.timer = null;
        this.deps.run((doc) => this.update(viewer, s, doc)).catch(this.deps.onError);
      }, this.deps.debounceMs);
    }
  }

  /** The viewer left: its pending update is dropped. */
  forget(viewer: SessionSubscriber): void {
    const state = this.viewers.get(viewer);
    if (state?.timer) clearTimeout(state.timer);
    this.viewers.delete(viewer);
  }

  close(): void {
    this.reset([]);
  }

  private stateOf(viewer: SessionSubscriber): ViewerState {
    const state: ViewerState = { plots: new Map(), last: new Map(), dirty: new Set(), timer: null };
    this.viewers.set(viewer, state);
    return state;
  }

  /** The viewport one viewer sees of `large`'s plot: the document's, overridden by what the viewer reported. */
  private viewportOf(state: ViewerState, large: LargeSource): Viewport {
    const base = readViewport(large.plot, large.xExtent, large.yExtent);
    const p = state.plots.get(large.plot.id) ?? {};
    const ends = (pair: PlotState["x"], lo: number, hi: number): [number, number] => {
      const a = pair?.[0] ?? lo;
      const b = pair?.[1] ?? hi;
      return a <= b ? [a, b] : [b, a];
    };
    const [x0, x1] = ends(p.x, base.x0, base.x1);
    const [y0, y1] = ends(p.y, base.y0, base.y1);
    return { x0, x1, y0, y1, width: Math.round(p.width ?? base.width), height: Math.round(p.height ?? base.height) };
  }

  /** Computes the dirty views of one viewer and sends those that changed, to that viewer only, in one PATCH-DOC. */
  private update(viewer: SessionSubscriber, state: ViewerState, doc: Document): void {
    if (this.viewers.get(viewer) !== state || !viewer.pulled) return;
    const events: DocumentChangedEvent[] = [];
    const change = (model: Model, data: Map<string, unknown>): number =>
      events.push({ kind: "ColumnDataChanged", model, attr: "data", data, cols: null, setter: null });
    for (const large of state.dirty) {
      const viewport = this.viewportOf(state, large);
      const last = state.last.get(large) ?? { viewport: null, kind: large.defaultKind, pointsEmpty: large.defaultKind === "image" };
      if (sameViewport(last.viewport, viewport)) continue;
      const view = largeView(large, viewport);
      let pointsEmpty = last.pointsEmpty;
      if (view.kind === "image") {
        // The new view first, then the old one away: never a moment with neither.
        if (large.aggregate) change(large.aggregate.source, aggregateColumns(view.image));
        if (!last.pointsEmpty) change(large.source, viewColumns(large, new Int32Array(0)));
        pointsEmpty = true;
      } else {
        change(large.source, viewColumns(large, view.indices));
        if (last.kind === "image" && large.aggregate) change(large.aggregate.source, emptyAggregateColumns());
        pointsEmpty = view.indices.length === 0;
      }
      state.last.set(large, { viewport, kind: view.kind, pointsEmpty });
    }
    state.dirty.clear();
    if (events.length > 0) viewer.sendPatch(serializeEvents(events, doc, { threshold: this.deps.binaryThresholdBytes }));
  }
}
