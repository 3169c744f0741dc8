import { Model, NDArray, Serializer, isTypedArray, type Document, type DocumentChangedEvent } from "../shared/index.ts";

/** What unacknowledged local changes touched: attributes by model id, roots added or removed, the title. */
export interface PendingKeys {
  readonly attrs: Map<string, Set<string>>;
  readonly roots: Set<string>;
  title: boolean;
}

export function emptyPending(): PendingKeys {
  return { attrs: new Map(), roots: new Set(), title: false };
}

/** Records what `event` changes into `into`. UI messages (MessageSent) are not state and are left out. */
export function notePending(into: PendingKeys, event: DocumentChangedEvent): void {
  switch (event.kind) {
    case "ModelChanged":
    case "ColumnDataChanged":
    case "ColumnsStreamed":
    case "ColumnsPatched": {
      const set = into.attrs.get(event.model.id) ?? new Set<string>();
      set.add(event.attr);
      into.attrs.set(event.model.id, set);
      return;
    }
    case "RootAdded":
    case "RootRemoved":
      into.roots.add(event.model.id);
      return;
    case "TitleChanged":
      into.title = true;
      return;
    case "MessageSent":
      return;
  }
}

/** Structural equality of attribute values; models compare by id (they live in different documents). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (a instanceof Model || b instanceof Model) return a instanceof Model && b instanceof Model && a.id === b.id;
  if (isTypedArray(a) || isTypedArray(b)) {
    if (!isTypedArray(a) || !isTypedArray(b) || a.constructor !== b.constructor || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  }
  if (a instanceof NDArray || b instanceof NDArray) {
    return a instanceof NDArray && b instanceof NDArray && a.dtype === b.dtype && sameValue(a.shape, b.shape) && sameValue(a.data, b.data);
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map) || !(b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !sameValue(v, b.get(k))) return false;
    return true;
  }
  if (a instanceof Set || b instanceof Set) {
    if (!(a instanceof Set) || !(b instanceof Set) || a.size !== b.size) return false;
    return [...a].every((v, i) => sameValue(v, [...b][i]));
  }
  if (a instanceof ArrayBuffer || b instanceof ArrayBuffer) {
    return a instanceof ArrayBuffer && b instanceof ArrayBuffer && sameValue(new Uint8Array(a), new Uint8Array(b));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const rootIds = (doc: Document) => new Set(doc.roots.map((r) => r.id));

/**
 * PATCH-DOC events that bring `local` to `server`'s state, except for what `pending` names (this client's own
 * unacknowledged changes, which win). Values are encoded against `local`: models it lacks are written in full.
 * Used after a reconnect, for what other writers changed while this client was away.
 */
export function eventsTowardServer(local: Document, server: Document, pending: PendingKeys): unknown[] {
  const s = new Serializer({ known: (m) => local.models.has(m.id) });
  const events: unknown[] = [];
  const localRoots = rootIds(local);
  for (const root of server.roots) {
    if (!localRoots.has(root.id) && !pending.roots.has(root.id)) events.push({ kind: "RootAdded", model: s.encode(root) });
  }
  for (const [id, theirs] of server.models) {
    const mine = local.get_model_by_id(id);
    if (!mine) continue;
    const held = pending.attrs.get(id);
    for (const [attr, value] of theirs.attributes) {
      if (held?.has(attr) || sameValue(mine.get(attr), value)) continue;
      events.push({ kind: "ModelChanged", model: { id }, attr, new: s.encode(value) });
    }
  }
  const serverRoots = rootIds(server);
  for (const root of local.roots) {
    if (!serverRoots.has(root.id) && !pending.roots.has(root.id)) events.push({ kind: "RootRemoved", model: { id: root.id } });
  }
  if (!pending.title && local.title !== server.title) events.push({ kind: "TitleChanged", title: server.title });
  return events;
}

/**
 * PATCH-DOC events that bring the server (whose state is `server`) to `local`'s values for what `pending` names.
 * State, not replayed operations: whether or not the server applied a change that was in flight when the
 * connection dropped, the result is the same (a stream is never applied twice nor lost).
 */
export function eventsTowardLocal(local: Document, server: Document, pending: PendingKeys): unknown[] {
  const s = new Serializer({ known: (m) => server.models.has(m.id) });
  const events: unknown[] = [];
  const serverRoots = rootIds(server);
  const localRoots = rootIds(local);
  for (const root of local.roots) {
    if (pending.roots.has(root.id) && !serverRoots.has(root.id)) events.push({ kind: "RootAdded", model: s.encode(root) });
  }
  for (const [id, attrs] of pending.attrs) {
    const mine = local.get_model_by_id(id);
    const theirs = server.get_model_by_id(id);
    if (!mine || !theirs) continue; // new to the server: written in full by the change that attached it
    for (const attr of attrs) {
      if (!mine.has(attr) || sameValue(mine.get(attr), theirs.get(attr))) continue;
      events.push({ kind: "ModelChanged", model: { id }, attr, new: s.encode(mine.get(attr)) });
    }
  }
  for (const id of pending.roots) {
    if (!localRoots.has(id) && serverRoots.has(id)) events.push({ kind: "RootRemoved", model: { id } });
  }
  if (pending.title && local.title !== server.title) events.push({ kind: "TitleChanged", title: local.title });
  return events;
}
