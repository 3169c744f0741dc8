import { toColumnPatches, type ColumnData, type ColumnPatches } from "./column-data.ts";
import { Deserializer } from "./deserializer.ts";
import { DocumentError } from "./errors.ts";
import { Model, type BokehEvent } from "./model.ts";

/** One incoming PATCH-DOC event, decoded and checked, ready to apply. */
export type PatchOp =
  | { kind: "ModelChanged"; model: Model; attr: string; value: unknown }
  | { kind: "ColumnDataChanged"; model: Model; attr: string; data: ColumnData; cols: string[] | null }
  | { kind: "ColumnsStreamed"; model: Model; attr: string; data: ColumnData; rollover: number | null }
  | { kind: "ColumnsPatched"; model: Model; attr: string; patches: ColumnPatches }
  | { kind: "RootAdded"; model: Model }
  | { kind: "RootRemoved"; model: Model }
  | { kind: "TitleChanged"; title: string }
  | { kind: "BokehEvent"; event: BokehEvent }
  | { kind: "MessageSent"; msg_type: string; msg_data: unknown };

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function badEvent(index: number, message: string): DocumentError {
  return new DocumentError("bad_event", `PATCH-DOC event ${index}: ${message}`);
}

class EventReader {
  constructor(
    private readonly ev: Json,
    private readonly index: number,
    private readonly decoder: Deserializer,
  ) {}

  fail(message: string): DocumentError {
    return badEvent(this.index, `${String(this.ev.kind)} ${message}`);
  }

  string(key: string, fallback?: string): string {
    const v = this.ev[key] ?? fallback;
    if (typeof v !== "string") throw this.fail(`needs a string '${key}'`);
    return v;
  }

  model(): Model {
    const rep = this.ev.model;
    if (!isObject(rep)) throw this.fail("needs a 'model' reference");
    const model = this.decoder.decode(rep);
    if (!(model instanceof Model)) throw this.fail("'model' is not a model");
    return model;
  }

  map(key: string): Map<unknown, unknown> {
    const v = this.decoder.decode(this.ev[key]);
    if (!(v instanceof Map)) throw this.fail(`needs '${key}' as a {type: "map"} value`);
    return v;
  }

  columns(key: string): ColumnData {
    const map = this.map(key);
    for (const k of map.keys()) if (typeof k !== "string") throw this.fail(`'${key}' must have string column names`);
    return map as ColumnData;
  }
}

function decodeEvent(raw: unknown, index: number, decoder: Deserializer): PatchOp {
  if (!isObject(raw)) throw badEvent(index, "is not an object");
  const r = new EventReader(raw, index, decoder);
  const kind = raw.kind;
  switch (kind) {
    case "ModelChanged":
      if (!("new" in raw)) throw r.fail("needs 'new'");
      return { kind, model: r.model(), attr: r.string("attr"), value: decoder.decode(raw.new) };
    case "ColumnDataChanged": {
      const cols = raw.cols ?? null;
      if (cols !== null && !(Array.isArray(cols) && cols.every((c) => typeof c === "string"))) {
        throw r.fail("needs 'cols' as null or a list of column names");
      }
      return { kind, model: r.model(), attr: r.string("attr", "data"), data: r.columns("data"), cols: cols as string[] | null };
    }
    case "ColumnsStreamed": {
      const rollover = raw.rollover ?? null;
      if (rollover !== null && !(Number.isInteger(rollover) && (rollover as number) >= 0)) {
        throw r.fail("needs 'rollover' as null or a non-negative integer");
      }
      return { kind, model: r.model(), attr: r.string("attr", "data"), data: r.columns("data"), rollover: rollover as number | null };
    }
    case "ColumnsPatched": {
      const model = r.model();
      const attr = r.string("attr", "data");
      const map = r.map("patches");
      try {
        return { kind, model, attr, patches: toColumnPatches(map as Map<string, unknown>) };
      } catch (err) {
        throw err instanceof DocumentError ? r.fail(err.message) : err;
      }
    }
    case "RootAdded":
    case "RootRemoved":
      return { kind, model: r.model() };
    case "TitleChanged":
      return { kind, title: r.string("title") };
    case "MessageSent": {
      const msg_type = r.string("msg_type");
      if (msg_type !== "bokeh_event") return { kind, msg_type, msg_data: decoder.decode(raw.msg_data) };
      const data = raw.msg_data;
      if (!isObject(data) || data.type !== "event" || typeof data.name !== "string") {
        throw r.fail("bokeh_event needs msg_data {type: 'event', name, values}");
      }
      const values = data.values === undefined ? new Map() : decoder.decode(data.values);
      if (!(values instanceof Map)) throw r.fail("bokeh_event values must be a {type: 'map'} value");
      const model = values.get("model") ?? null;
      if (model !== null && !(model instanceof Model)) throw r.fail("bokeh_event 'model' must be a model reference");
      const rest: Record<string, unknown> = {};
      for (const [k, v] of values) if (k !== "model") rest[String(k)] = v;
      return { kind: "BokehEvent", event: { name: data.name, model, values: rest } };
    }
    default:
      throw new DocumentError("unknown_event", `PATCH-DOC event ${index} has unknown kind ${JSON.stringify(kind)}`);
  }
}

/**
 * Decodes and checks a whole PATCH-DOC content before anything is applied, so malformed input changes nothing.
 * Models defined in full anywhere in the content (RootAdded, new attribute values) are created first, so events
 * may refer to each other's new models.
 */
export function decodePatch(
  content: unknown,
  lookup: (id: string) => Model | undefined,
  buffers?: ReadonlyMap<string, Uint8Array>,
): PatchOp[] {
  if (!isObject(content) || !Array.isArray(content.events)) {
    throw new DocumentError("bad_patch", "PATCH-DOC content must be an object {events: [...]}");
  }
  const decoder = new Deserializer({ lookup, buffers });
  decoder.prepare(content.events);
  return content.events.map((ev, i) => decodeEvent(ev, i, decoder));
}
