import type { ColumnChange } from "./column-data.ts";
import { documentContext } from "./doc-context.ts";
import { Deserializer } from "./deserializer.ts";
import { DocumentError } from "./errors.ts";
import { stampEvent, type DocumentChangedEvent } from "./events.ts";
import { noteId } from "./ids.ts";
import { Model, containsModel, type BokehEvent } from "./model.ts";
import { applyPatchOp } from "./patch-applier.ts";
import { decodePatch } from "./patch-decoder.ts";
import { reachableModels } from "./reachable-models.ts";
import { Serializer, type Serialized } from "./serializer.ts";
import { SessionCallbacks, type SessionCallbackHandle, type SessionCallbackKind } from "./session-callbacks.ts";

declare module "./model.ts" {
  interface DocumentTypeSlot {
    document: Document;
  }
}

/** The BokehJS version this server speaks and serves; written as `version` in every document JSON. */
export const BOKEH_VERSION = "3.10.0";

/** Python's default document title. */
export const DEFAULT_TITLE = "Bokeh Application";

/**
 * Bokeh 3 document JSON (PROTOCOL.md §5). `roots` holds encoded models; any other top-level key (`config`,
 * `defs`, `callbacks`, ...) is kept verbatim by `from_json` and written back by `to_json`.
 */
export interface DocJson {
  version: string;
  title: string;
  roots: unknown[];
  config?: unknown;
  defs?: unknown[];
  callbacks?: unknown;
  [key: string]: unknown;
}

/** Receives callback errors: `where` names the callback ("on_change(value) of Slider p1001", "periodic_callback"). */
export type ErrorHandler = (error: unknown, where: string) => void;
/** Runs one session callback invocation; the worker passes one that takes a per-document lock. */
export type CallbackInvoker = (cb: () => unknown) => Promise<void>;

/** How many callback errors the default handler keeps (oldest dropped first). */
const KEPT_ERRORS = 100;

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function";
}

function noteIdsIn(json: unknown): void {
  if (Array.isArray(json)) json.forEach(noteIdsIn);
  else if (json !== null && typeof json === "object") {
    for (const [k, v] of Object.entries(json)) {
      if (k === "id" && typeof v === "string") noteId(v);
      else noteIdsIn(v);
    }
  }
}

/**
 * The server-side Bokeh document of one session: roots, the models reachable from them, change events, incoming
 * patches and the session's callbacks. It does no I/O and never logs: sessions subscribe with `on_change` and
 * serialize with `serializeEvents`; callback failures go to the error handler. Deliberately absent: hold/unhold
 * event batching, `js_on_event`, theme handling (`applyTheme` in `shared/models` builds it on `on_attach`), and
 * validation of attribute values (BokehJS does that).
 */
export class Document {
  private _title: string;
  private _roots: Model[] = [];
  private _models = new Map<string, Model>();
  private readonly _attachedAt = new WeakMap<Model, number>();
  private _epoch = 0;
  private _extras: Record<string, unknown> = {};
  private readonly _listeners = new Set<(event: DocumentChangedEvent) => void>();
  private readonly _attachHooks = new Set<(models: readonly Model[]) => void>();
  /**
   * Values for the page template (Python's `doc.template_variables`), e.g. `{ header: "Sales" }`. Plain data; the
   * server that renders the session page decides which names it uses.
   */
  readonly template_variables: Record<string, unknown> = {};
  private readonly _eventCallbacks = new Map<string, Array<(event: BokehEvent) => unknown>>();
  private readonly _messageCallbacks = new Map<string, Array<(data: unknown) => unknown>>();
  private _errorHandler: ErrorHandler;
  private readonly _errors: Array<{ error: unknown; where: string }> = [];
  private _pending: Array<Promise<void>> | null = null;
  private _invoker: CallbackInvoker = async (cb) => {
    await cb();
  };
  private readonly _session = new SessionCallbacks((kind, cb) => void this._runSessionCallback(kind, cb));
  private _destroying: Promise<void> | null = null;

  constructor(opts: { title?: string } = {}) {
    this._title = opts.title ?? DEFAULT_TITLE;
    this._errorHandler = (error, where) => {
      this._errors.push({ error, where });
      if (this._errors.length > KEPT_ERRORS) this._errors.shift();
    };
  }

  get title(): string {
    return this._title;
  }

  set title(title: string) {
    this.set_title(title);
  }

  /** Sets the title and emits TitleChanged carrying `setter` (no event when unchanged). */
  set_title(title: string, setter?: unknown): void {
    if (title === this._title) return;
    this._title = title;
    this._emit({ kind: "TitleChanged", title, setter }, this._epoch);
  }

  get roots(): readonly Model[] {
    return this._roots;
  }

  /** Every model reachable from the roots, by id. Kept current as attributes change. */
  get models(): ReadonlyMap<string, Model> {
    return this._models;
  }

  add_root(model: Model, setter?: unknown): void {
    if (this._roots.includes(model)) return;
    const before = this._epoch;
    this._roots.push(model);
    try {
      this._recompute();
    } catch (err) {
      this._roots.pop();
      throw err;
    }
    this._emit({ kind: "RootAdded", model, setter }, before);
  }

  remove_root(model: Model, setter?: unknown): void {
    const index = this._roots.indexOf(model);
    if (index < 0) return;
    const before = this._epoch;
    this._roots.splice(index, 1);
    this._recompute();
    this._emit({ kind: "RootRemoved", model, setter }, before);
  }

  get_model_by_id(id: string): Model | null {
    return this._models.get(id) ?? null;
  }

  /** The one model whose `name` attribute is `name`, or null; throws `duplicate_name` when several match. */
  get_model_by_name(name: string): Model | null {
    const found = [...this._models.values()].filter((m) => m.get("name") === name);
    if (found.length > 1) {
      throw new DocumentError("duplicate_name", `${found.length} models are named '${name}'; give them distinct names`);
    }
    return found[0] ?? null;
  }

  /** Subscribes to every change; returns the unsubscribe function. Listeners run synchronously, in order. */
  on_change(listener: (event: DocumentChangedEvent) => void): () => void {
    this._listeners.add(listener);
    return () => void this._listeners.delete(listener);
  }

  /**
   * Calls `hook(models)` with the models each change attaches (new roots, new attribute values), synchronously and
   * before any listener hears of the change, so the hook may give them initial attributes with `_init_attribute`
   * (which emits nothing) and every session serializes them with those values. Hook errors go to the error handler.
   * Returns the unsubscribe function.
   */
  on_attach(hook: (models: readonly Model[]) => void): () => void {
    this._attachHooks.add(hook);
    return () => void this._attachHooks.delete(hook);
  }

  /** Calls `cb` for document-level UI events without a model (e.g. `document_ready`). */
  on_event(name: string, cb: (event: BokehEvent) => unknown): () => void {
    return this._subscribe(this._eventCallbacks, name, cb);
  }

  /** Calls `cb(msg_data)` for incoming MessageSent events of `msg_type` (other than "bokeh_event"). */
  on_message(msg_type: string, cb: (data: unknown) => unknown): () => void {
    return this._subscribe(this._messageCallbacks, msg_type, cb);
  }

  /** Emits a MessageSent event for the clients (BokehJS delivers it to `doc.on_message(msg_type)` handlers). */
  send_message(msg_type: string, msg_data: unknown, setter?: unknown): void {
    this._emit({ kind: "MessageSent", msg_type, msg_data, setter }, this._epoch);
  }

  set_error_handler(handler: ErrorHandler): void {
    this._errorHandler = handler;
  }

  /** Errors the default handler collected (the last 100), for tests and diagnostics. */
  get callback_errors(): ReadonlyArray<{ error: unknown; where: string }> {
    return this._errors;
  }

  to_json(): DocJson {
    return this._serialize(new Serializer());
  }

  /** Like `to_json`, but typed arrays of at least `threshold` bytes (default 0: all) travel as binary buffers. */
  to_json_with_buffers(opts: { threshold?: number } = {}): Serialized<DocJson> {
    const serializer = new Serializer({ threshold: opts.threshold ?? 0 });
    const json = this._serialize(serializer);
    return { json, buffers: serializer.buffers };
  }

  private _serialize(serializer: Serializer): DocJson {
    const roots = this._roots.map((root) => serializer.encode(root));
    return { version: BOKEH_VERSION, title: this._title, roots, ...this._extras };
  }

  /** Builds a document from Bokeh 3 JSON; `buffers` resolves `{"id"}` bytes. Models may be referenced before defined. */
  static from_json(json: DocJson, buffers?: ReadonlyMap<string, Uint8Array>): Document {
    if (json === null || typeof json !== "object" || !Array.isArray(json.roots)) {
      throw new DocumentError("bad_document", "document JSON needs a 'roots' list");
    }
    if (json.title !== undefined && typeof json.title !== "string") {
      throw new DocumentError("bad_document", "document JSON 'title' must be a string");
    }
    const doc = new Document({ title: json.title ?? "" });
    const decoder = new Deserializer({ buffers });
    decoder.prepare(json.roots);
    const roots = json.roots.map((rep) => decoder.decode(rep));
    for (const root of roots) {
      if (!(root instanceof Model)) throw new DocumentError("bad_document", "every entry of 'roots' must be a model");
    }
    for (const [key, value] of Object.entries(json)) {
      if (key === "version" || key === "title" || key === "roots") continue;
      noteIdsIn(value);
      doc._extras[key] = value;
    }
    doc._roots = [...new Set(roots as Model[])];
    doc._recompute();
    return doc;
  }

  /**
   * Applies a PATCH-DOC content from a client. Everything is decoded and checked first (a malformed event throws
   * a DocumentError and nothing is applied); then events apply in order, emitting change events with `setter`.
   * An event that only fails when applied (e.g. a stream that does not fit the columns) throws a DocumentError
   * too, leaving the earlier events of the batch applied. Callbacks run synchronously; the promise also waits for
   * the promises they return. Callback errors go to the error handler, never out of here.
   */
  async apply_json_patch(content: { events: unknown[] }, buffers?: ReadonlyMap<string, Uint8Array>, setter?: unknown): Promise<void> {
    const ops = decodePatch(content, (id) => this._models.get(id), buffers);
    await this._collecting(() => {
      for (const op of ops) applyPatchOp(this, op, setter);
    });
  }

  /** @internal see PatchTarget */
  _dispatch_document_event(event: BokehEvent): void {
    for (const cb of [...(this._eventCallbacks.get(event.name) ?? [])]) this._invoke(`on_event(${event.name})`, () => cb(event));
  }

  /** @internal see PatchTarget */
  _dispatch_message(msg_type: string, msg_data: unknown): void {
    for (const cb of [...(this._messageCallbacks.get(msg_type) ?? [])]) this._invoke(`on_message(${msg_type})`, () => cb(msg_data));
  }

  add_periodic_callback(cb: () => unknown, periodMs: number): SessionCallbackHandle {
    return this._session.add("periodic", cb, periodMs);
  }

  add_timeout_callback(cb: () => unknown, ms: number): SessionCallbackHandle {
    return this._session.add("timeout", cb, ms);
  }

  add_next_tick_callback(cb: () => unknown): SessionCallbackHandle {
    return this._session.add("next_tick", cb, 0);
  }

  /** Each remove returns false when the callback already ran, was removed, or is of another kind. */
  remove_periodic_callback(handle: SessionCallbackHandle): boolean {
    return this._session.remove(handle, "periodic");
  }

  remove_timeout_callback(handle: SessionCallbackHandle): boolean {
    return this._session.remove(handle, "timeout");
  }

  remove_next_tick_callback(handle: SessionCallbackHandle): boolean {
    return this._session.remove(handle, "next_tick");
  }

  /** Runs `cb(doc)` once when the session is destroyed (`destroy()`). */
  on_session_destroyed(cb: (doc: Document) => unknown): void {
    this._session.onDestroyed(() => cb(this));
  }

  /** Routes every session callback invocation (timers, next tick) through `invoker`, e.g. a per-document lock. */
  set_callback_invoker(invoker: CallbackInvoker): void {
    this._invoker = invoker;
  }

  /** Stops every timer and runs the session-destroyed callbacks once; later calls return the same promise. */
  destroy(): Promise<void> {
    this._destroying ??= this._collecting(() => {
      for (const cb of this._session.destroy()) this._invoke("on_session_destroyed", cb);
    });
    return this._destroying;
  }

  private _runSessionCallback(kind: SessionCallbackKind, cb: () => unknown): Promise<void> {
    const where = `${kind}_callback`;
    const thunk = (): Promise<void> => this._collecting(() => this._invoke(where, cb));
    let result: Promise<void>;
    try {
      result = Promise.resolve(this._invoker(thunk));
    } catch (err) {
      result = Promise.reject(err);
    }
    return result.catch((err: unknown) => this._report(err, where));
  }

  /** @internal see ModelHost */
  _invoke(where: string, fn: () => unknown): void {
    let result: unknown;
    try {
      result = documentContext.run(this, fn);
    } catch (err) {
      this._report(err, where);
      return;
    }
    if (isThenable(result)) {
      const settled = Promise.resolve(result).then(
        () => undefined,
        (err: unknown) => this._report(err, where),
      );
      this._pending?.push(settled);
    }
  }

  /** @internal see ModelHost */
  _model_changed(model: Model, attr: string, old: unknown, value: unknown, setter: unknown, hint?: ColumnChange): void {
    const before = this._epoch;
    if (containsModel(old) || containsModel(value)) this._recompute();
    const event: DocumentChangedEvent =
      hint === undefined
        ? { kind: "ModelChanged", model, attr, new: value, old, setter }
        : hint.kind === "ColumnsPatched"
          ? { kind: hint.kind, model, attr, patches: hint.patches, setter }
          : hint.kind === "ColumnsStreamed"
            ? { kind: hint.kind, model, attr, data: hint.data, rollover: hint.rollover, setter }
            : { kind: hint.kind, model, attr, data: hint.data, cols: hint.cols, setter };
    this._emit(event, before);
  }

  /** @internal true when `model` was attached before `epoch`, i.e. a receiver synced up to then knows it. */
  _known_before(model: Model, epoch: number): boolean {
    const at = this._attachedAt.get(model);
    return this._models.get(model.id) === model && at !== undefined && at <= epoch;
  }

  /** @internal the current attachment epoch (grows each time models get attached). */
  get _current_epoch(): number {
    return this._epoch;
  }

  private async _collecting(fn: () => void): Promise<void> {
    const pending: Array<Promise<void>> = [];
    const outer = this._pending;
    this._pending = pending;
    try {
      fn();
    } finally {
      this._pending = outer;
    }
    await Promise.all(pending);
  }

  private _report(error: unknown, where: string): void {
    try {
      this._errorHandler(error, where);
    } catch {
      // A failing error handler must not break the document; there is nowhere left to report to.
    }
  }

  private _emit(event: DocumentChangedEvent, epochBefore: number): void {
    stampEvent(event, epochBefore);
    for (const listener of [...this._listeners]) {
      try {
        listener(event);
      } catch (err) {
        this._report(err, "document on_change listener");
      }
    }
  }

  private _subscribe<C>(registry: Map<string, C[]>, key: string, cb: C): () => void {
    registry.set(key, [...(registry.get(key) ?? []), cb]);
    return () => registry.set(key, (registry.get(key) ?? []).filter((c) => c !== cb));
  }

  /** Re-derives the attached models from the roots; throws (changing nothing) on id clashes or foreign models. */
  private _recompute(): void {
    const byId = reachableModels(this._roots, this);
    for (const [id, model] of this._models) if (byId.get(id) !== model) model._host = null;
    const fresh = [...byId.values()].filter((model) => model._host !== this);
    if (fresh.length > 0) this._epoch += 1;
    for (const model of fresh) {
      model._host = this;
      this._attachedAt.set(model, this._epoch);
    }
    this._models = byId;
    if (fresh.length === 0) return;
    for (const hook of [...this._attachHooks]) {
      try {
        hook(fresh);
      } catch (err) {
        this._report(err, "document on_attach hook");
      }
    }
  }
}
