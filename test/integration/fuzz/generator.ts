import type { Frame } from "./oracle.ts";
import type { Prng } from "./prng.ts";
import { mutateJson, mutateText, nastyValue, type ModelInfo } from "./values.ts";

/** What the generator knows about the server it attacks. */
export interface FuzzContext {
  /** The models of the fuzzed app's document, from a PULL-DOC. */
  models: ModelInfo[];
  /** That document's JSON, for PUSH-DOC cases. */
  doc: Record<string, unknown>;
  /** Real client messages recorded from Bokeh 3.6 (test/fixtures/bokeh-3.6-traffic/). */
  recorded: RecordedClientMessage[];
  /** `JSON.stringify(doc)`, made once: fresh copies come from parsing it. */
  docText?: string;
  /** The server's --websocket-max-message-size. */
  maxMessageBytes: number;
}

export interface RecordedClientMessage {
  header: Record<string, unknown>;
  metadata: unknown;
  content: unknown;
  /** `JSON.stringify(content)`, made once. */
  contentText?: string;
}

/** One fuzz case: frames sent in order on one fresh connection. `kind` names the generator that made it. */
export interface FuzzCase {
  seed: number;
  index: number;
  kind: CaseKind;
  frames: Frame[];
}

export const CASE_WEIGHTS = {
  valid: 5, recorded: 25, events: 22, header: 10, framing: 10, json: 7, huge: 3, deep: 2, buffers: 10, push: 2, serverOnly: 4,
} as const;
export type CaseKind = keyof typeof CASE_WEIGHTS;

const SERVER_ONLY = ["ACK", "OK", "ERROR", "SERVER-INFO-REPLY", "PULL-DOC-REPLY"];
const EVENT_KINDS = ["ModelChanged", "ColumnDataChanged", "ColumnsStreamed", "ColumnsPatched", "RootAdded", "RootRemoved", "TitleChanged", "MessageSent"];

const text = (value: unknown): string => JSON.stringify(value) ?? "null";
const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, "utf8"));

/** The frames of one message; `header` is written as given (num_buffers included or not). */
function frames(header: unknown, content: unknown, buffers: Array<{ id: string; data: Uint8Array }> = [], metadata: unknown = {}): Frame[] {
  return [text(header), text(metadata), text(content), ...buffers.flatMap((b) => [text({ id: b.id }), b.data])];
}

function msgid(rng: Prng): string {
  return rng.string(32, "0123456789ABCDEF");
}

function header(rng: Prng, msgtype: string, numBuffers = 0): Record<string, unknown> {
  const h: Record<string, unknown> = { msgid: msgid(rng), msgtype };
  if (numBuffers > 0) h.num_buffers = numBuffers;
  return h;
}

class CaseBuilder {
  constructor(private readonly rng: Prng, private readonly ctx: FuzzContext) {}

  private realId(): string {
    return this.rng.pick(this.ctx.models).id;
  }

  private modelNamed(type: string): ModelInfo | undefined {
    const all = this.ctx.models.filter((m) => m.name === type);
    return all.length > 0 ? this.rng.pick(all) : undefined;
  }

  /** A PATCH-DOC event, valid about half the time. */
  event(): Record<string, unknown> {
    const { rng } = this;
    const m = rng.pick(this.ctx.models);
    const ref = rng.chance(0.85) ? { id: m.id } : rng.pick<unknown>([{ id: `nope-${rng.string(5)}` }, { id: 1 }, null, "x", {}, []]);
    const cds = this.modelNamed("ColumnDataSource") ?? m;
    const entries = (cds.attributes.data as { entries?: Array<[string, unknown]> } | undefined)?.entries ?? [];
    const cols = entries.map(([k]) => k);
    const col = () => (cols.length > 0 && rng.chance(0.8) ? rng.pick(cols) : rng.string(3));
    const numbers = () => Array.from({ length: rng.int(5) }, () => (rng.chance(0.9) ? rng.next() * 10 : nastyValue(rng, this.ctx.models)));
    const columnMap = () => ({ type: "map", entries: Array.from({ length: rng.between(0, 3) }, () => [col(), rng.chance(0.8) ? numbers() : nastyValue(rng, this.ctx.models)]) });
    const kind = rng.chance(0.95) ? rng.pick(EVENT_KINDS) : rng.pick(["", "modelchanged", rng.string(8), "BokehEvent"]);
    const attrs = Object.keys(m.attributes);
    const attr = attrs.length > 0 && rng.chance(0.7) ? rng.pick(attrs) : rng.pick(["value", "data", "start", "title", rng.string(6), "", "__proto__", "constructor"]);
    const sameType = (v: unknown) => (typeof v === "number" ? rng.next() * 100 : typeof v === "string" ? rng.string(5) : typeof v === "boolean" ? rng.chance(0.5) : nastyValue(rng, this.ctx.models));
    const pick = <T>(valid: () => T): T | unknown => (rng.chance(0.75) ? valid() : nastyValue(rng, this.ctx.models));
    switch (kind) {
      case "ModelChanged":
        return { kind, model: ref, attr, new: rng.chance(0.5) ? sameType(m.attributes[attr]) : nastyValue(rng, this.ctx.models) };
      case "ColumnDataChanged":
        return { kind, model: rng.chance(0.8) ? { id: cds.id } : ref, attr: pick(() => "data"), data: pick(columnMap), cols: pick(() => (rng.chance(0.5) ? null : [col()])) };
      case "ColumnsStreamed":
        return { kind, model: rng.chance(0.8) ? { id: cds.id } : ref, attr: "data", data: pick(columnMap), rollover: pick(() => rng.pick([null, 1, 10, 0, -1, 0.5, 1e9])) };
      case "ColumnsPatched": {
        const index = () => rng.pick<unknown>([0, 1, 49, 50, -1, 1e9, 0.5, "0",
          { type: "slice", start: rng.pick([0, null, -3, 1e9]), stop: rng.pick([2, null, 1e9, -1]), step: rng.pick([1, null, 2, 0, -1]) }, [0, 1], [0, { type: "slice", start: 0, stop: 2, step: 1 }]]);
        const patch = () => [index(), rng.chance(0.7) ? rng.next() : rng.chance(0.5) ? numbers() : nastyValue(rng, this.ctx.models)];
        return { kind, model: rng.chance(0.8) ? { id: cds.id } : ref, attr: "data", patches: pick(() => ({ type: "map", entries: [[col(), Array.from({ length: rng.between(1, 3) }, patch)]] })) };
      }
      case "RootAdded":
        return { kind, model: rng.pick<unknown>([{ type: "object", name: rng.pick(["Div", "Slider", "NoSuchModel"]), id: `new-${rng.string(6)}`, attributes: { text: "hi" } }, ref, nastyValue(rng, this.ctx.models)]) };
      case "RootRemoved":
        return { kind, model: ref };
      case "TitleChanged":
        return { kind, title: pick(() => rng.string(rng.between(0, 30))) };
      case "MessageSent": {
        const button = this.modelNamed("Button");
        const target = rng.chance(0.7) && button ? { id: button.id } : ref;
        const name = rng.pick(["button_click", "document_ready", "tap", "pan", "connection_lost", rng.string(6)]);
        const values = pick(() => ({ type: "map", entries: name === "document_ready" ? [] : [["model", target], ...(rng.chance(0.3) ? [["x", rng.next()]] : [])] }));
        return { kind, msg_type: rng.chance(0.85) ? "bokeh_event" : rng.pick(["custom", "", 5]), msg_data: pick(() => ({ type: "event", name, values })) };
      }
      default:
        return { kind, model: ref, attr, new: nastyValue(rng, this.ctx.models) };
    }
  }

  patchDoc(events: unknown[] = Array.from({ length: this.rng.between(1, 4) }, () => this.event())): Frame[] {
    return frames(header(this.rng, "PATCH-DOC"), { events });
  }

  /** A message every server must answer: SERVER-INFO-REQ (cheap), PULL-DOC-REQ (now and then) or a valid patch. */
  valid(): Frame[] {
    const { rng } = this;
    const slider = this.modelNamed("Slider");
    return rng.pick<() => Frame[]>([
      () => frames(header(rng, "SERVER-INFO-REQ"), {}),
      () => (rng.chance(0.15) ? frames(header(rng, "PULL-DOC-REQ"), {}) : frames(header(rng, "SERVER-INFO-REQ"), {})),
      () => this.patchDoc(slider ? [{ kind: "ModelChanged", model: { id: slider.id }, attr: "value", new: rng.next() * 5 }] : []),
      () => this.patchDoc([{ kind: "MessageSent", msg_type: "bokeh_event", msg_data: { type: "event", name: "document_ready", values: { type: "map" } } }]),
    ])();
  }

  /** Recorded real client messages, ids remapped onto this document's models, then mutated. */
  recorded(): Frame[] {
    const { rng, ctx } = this;
    const out: Frame[] = [];
    for (let n = rng.between(1, 3); n > 0; n--) {
      const rec = rng.pick(ctx.recorded);
      rec.contentText ??= JSON.stringify(rec.content);
      let content = JSON.parse(rec.contentText.replace(/"id":"(p\d+)"/g, () => `"id":"${this.realId()}"`)) as unknown;
      let head: unknown = { ...rec.header, msgid: msgid(rng) };
      for (let m = rng.between(0, 3); m > 0; m--) {
        if (rng.chance(0.8)) content = mutateJson(rng, content, ctx.models);
        else head = mutateJson(rng, head, ctx.models);
      }
      let fs = frames(head, content, [], rec.metadata);
      if (rng.chance(0.15)) fs = fs.map((f) => (typeof f === "string" && rng.chance(0.3) ? mutateText(rng, f) : f));
      out.push(...fs);
    }
    return out;
  }

  headerCase(): Frame[] {
    const { rng } = this;
    const content = rng.chance(0.5) ? {} : { events: [this.event()] };
    const h: Record<string, unknown> = header(rng, rng.pick(["PATCH-DOC", "PULL-DOC-REQ", "SERVER-INFO-REQ", "PUSH-DOC"]));
    switch (rng.int(7)) {
      case 0: h.msgid = rng.pick<unknown>([undefined, "", 5, null, [], {}, "x".repeat(5000)]); break;
      case 1: h.msgtype = rng.pick<unknown>([undefined, "", "patch-doc", "PATCH_DOC", rng.string(10), 7, null, "EVENT", "PULL-DOC"]); break;
      case 2: h.reqid = rng.pick<unknown>([5, null, {}, "", msgid(rng)]); break;
      case 3: h.num_buffers = rng.pick<unknown>([-1, 0.5, "1", 1e9, 1025, 2 ** 53, null, true, 1, 2]); break;
      case 4: h[rng.pick(["extra", "__proto__", "constructor", "msgtype "])] = nastyValue(rng, this.ctx.models); break;
      case 5: return [text(rng.pick<unknown>([[], "header", 5, null, true, [h]])), "{}", text(content)];
      default: return [text(h), text(rng.pick<unknown>([[], "x", 5, null, { a: 1 }, []])), text(content)];
    }
    return frames(h, content);
  }

  framing(): Frame[] {
    const { rng } = this;
    const fs = rng.chance(0.5) ? [...this.valid(), ...this.valid()] : this.buffersCase(true);
    const at = rng.int(fs.length);
    switch (rng.int(7)) {
      case 0: fs[at] = typeof fs[at] === "string" ? utf8(fs[at] as string) : Buffer.from(fs[at] as Uint8Array).toString("latin1"); break;
      case 1: fs.splice(at, 1); break;
      case 2: fs.splice(at, 0, fs[at]); break;
      case 3: if (at + 1 < fs.length) [fs[at], fs[at + 1]] = [fs[at + 1], fs[at]]; break;
      case 4: fs.splice(at, 0, rng.bytes(rng.int(64))); break;
      case 5: fs.splice(at, 0, rng.pick(["{}", "", "null", text({ id: "b" }), text(header(rng, "SERVER-INFO-REQ"))])); break;
      default: return fs.slice(0, at); // cut off mid-message: the server must simply wait
    }
    return fs;
  }

  badJson(): Frame[] {
    const fs = this.rng.chance(0.5) ? this.valid() : this.patchDoc();
    const at = this.rng.int(3);
    fs[at] = this.rng.chance(0.7) ? mutateText(this.rng, fs[at] as string) : this.rng.pick(["", "{", "nul", "{'a': 1}", "[1,]", "\ud800", "{}}", "1e99999", "\"", "{\"a\":1}garbage"]);
    return fs;
  }

  huge(): Frame[] {
    const { rng, ctx } = this;
    const over = ctx.maxMessageBytes + rng.between(1, 4096);
    switch (rng.int(4)) {
      case 0: return this.patchDoc([{ kind: "TitleChanged", title: "x".repeat(over) }]);
      case 1: return frames(header(rng, "PATCH-DOC", 1), { events: [] }, [{ id: "big", data: new Uint8Array(over) }]);
      case 2: { // many buffers that only together pass the limit
        const n = rng.between(2, 8);
        const size = Math.ceil(over / n);
        return frames(header(rng, "PATCH-DOC", n), { events: [] }, Array.from({ length: n }, (_, i) => ({ id: `b${i}`, data: new Uint8Array(size) })));
      }
      default: // just under the limit: must be handled, not refused
        return this.patchDoc([{ kind: "TitleChanged", title: "x".repeat(Math.max(0, ctx.maxMessageBytes - 400 - rng.int(2000))) }]);
    }
  }

  /** A value nested deeper than the receiver's limit (or just within it), written as text. */
  deep(): Frame[] {
    const { rng } = this;
    const depth = rng.pick([500, 511, 513, 600, 2000, 5000, 30_000]);
    const value = `${"[".repeat(depth)}1${"]".repeat(depth)}`;
    const target = this.modelNamed("Div") ?? rng.pick(this.ctx.models);
    const content = rng.chance(0.8)
      ? `{"events":[{"kind":"ModelChanged","model":{"id":${text(target.id)}},"attr":"text","new":${value}}]}`
      : rng.pick([value, `{"events":${value}}`, `{"doc":{"roots":${value}}}`]);
    const msgtype = content.startsWith('{"doc"') ? "PUSH-DOC" : "PATCH-DOC";
    return [text(header(rng, msgtype)), rng.chance(0.9) ? "{}" : `{"m":${value}}`, content];
  }

  /** PATCH-DOC with binary buffers: ndarrays of real and wrong sizes, dtypes and ids. */
  buffersCase(validOnly = false): Frame[] {
    const { rng } = this;
    const cds = this.modelNamed("ColumnDataSource");
    const n = rng.between(1, 3);
    const buffers = Array.from({ length: n }, (_, i) => ({ id: `buf-${i}`, data: rng.bytes(validOnly ? 8 * rng.between(0, 6) : rng.pick([0, 1, 7, 8, 16, 24, 100])) }));
    const nd = (i: number) => {
      const b = buffers[i % buffers.length];
      const len = b.data.length / 8;
      return validOnly || rng.chance(0.4)
        ? { type: "ndarray", array: { type: "bytes", data: { id: b.id } }, shape: [len], dtype: "float64", order: "little" }
        : { type: "ndarray", array: { type: "bytes", data: { id: rng.chance(0.7) ? b.id : "missing" } }, shape: rng.pick([[len], [len + 1], [-1], [2, 2], [], [1e9]]), dtype: rng.pick(["float64", "float32", "int32", "uint8", "bool", "float16", "int64", "complex128", "nope"]), order: rng.pick(["little", "big", "other"]) };
    };
    const kind = rng.pick(["ColumnDataChanged", "ColumnsStreamed"]);
    const cols = rng.chance(0.7) ? ["x", "y"] : [rng.string(2)];
    const data = { type: "map", entries: cols.map((c, i) => [c, nd(i)]) };
    const ev = kind === "ColumnDataChanged" ? { kind, model: { id: cds?.id ?? this.realId() }, attr: "data", data, cols: null } : { kind, model: { id: cds?.id ?? this.realId() }, attr: "data", data, rollover: null };
    let numBuffers: number = buffers.length;
    if (!validOnly && rng.chance(0.3)) numBuffers = rng.pick([0, buffers.length - 1, buffers.length + 1]);
    const h = header(rng, "PATCH-DOC", numBuffers);
    const out = frames(h, { events: [ev] }, buffers);
    if (!validOnly && rng.chance(0.2)) {
      const at = 3 + 2 * rng.int(buffers.length);
      out[at] = rng.pick([text({ id: "buf-0" }), text({ id: 5 }), text({ id: "x", extra: 1 }), text({}), "[]"]);
    }
    return out;
  }

  push(): Frame[] {
    const { rng, ctx } = this;
    ctx.docText ??= JSON.stringify(ctx.doc);
    let doc: unknown = JSON.parse(ctx.docText);
    for (let m = rng.between(0, 3); m > 0; m--) doc = mutateJson(rng, doc, ctx.models);
    return frames(header(rng, "PUSH-DOC"), rng.chance(0.9) ? { doc } : { doc: nastyValue(rng, ctx.models) });
  }

  serverOnly(): Frame[] {
    const { rng } = this;
    const h = { ...header(rng, rng.pick(SERVER_ONLY)), reqid: msgid(rng) };
    return frames(h, rng.pick<unknown>([{}, { text: "x", traceback: null }, { doc: this.ctx.doc }, { version_info: { bokeh: "3.6.0", server: "3.6.0" } }]));
  }
}

/** Case `index` of the run seeded `seed`: deterministic given both and the context. */
export function generateCase(rng: Prng, seed: number, index: number, ctx: FuzzContext): FuzzCase {
  const b = new CaseBuilder(rng, ctx);
  const kind = rng.weighted(CASE_WEIGHTS);
  const make: Record<CaseKind, () => Frame[]> = {
    valid: () => b.valid(), recorded: () => b.recorded(), events: () => b.patchDoc(), header: () => b.headerCase(),
    framing: () => b.framing(), json: () => b.badJson(), huge: () => b.huge(), deep: () => b.deep(), buffers: () => b.buffersCase(), push: () => b.push(),
    serverOnly: () => b.serverOnly(),
  };
  const frames = make[kind]();
  // Half the cases end with a request that must still be answered if the connection is meant to survive.
  if (rng.chance(0.5)) frames.push(...b.valid());
  return { seed, index, kind, frames };
}
