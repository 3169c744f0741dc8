import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Document, Serializer, type DocJson, type Model } from "../../../shared/document/index.ts";
import { DOCS_DIR, TRAFFIC_DIR, readTraffic } from "../document/traffic.ts";

export type Json = Record<string, unknown>;

/** A Bokeh 3.6 document fixture (`test/fixtures/bokeh-3.6-docs/<name>`). */
export function fixtureDoc(name: string): DocJson {
  return JSON.parse(readFileSync(join(DOCS_DIR, name), "utf8"));
}

/** The document `bokeh serve` sent for the recorded sliders app (PULL-DOC-REPLY of pull_session.json). */
export function slidersAppDoc(): Document {
  const reply = readTraffic(join(TRAFFIC_DIR, "pull_session.json")).find((m) => m.header.msgtype === "PULL-DOC-REPLY")!;
  return Document.from_json(reply.content.doc, reply.buffers);
}

export function attrsOf(json: unknown): Json {
  return (json as { attributes?: Json }).attributes ?? {};
}

/**
 * A model's JSON with ids taken out: definitions lose their `id`, references become `-> Name`. Two models that
 * are built the same way (same types, attributes, values and sharing) give equal results whatever their ids.
 */
export function canon(model: Model): unknown {
  const json = new Serializer().encode(model);
  const names = new Map<string, string>();
  JSON.stringify(json, (_k, v) => {
    if (v !== null && typeof v === "object" && v.type === "object" && typeof v.id === "string") names.set(v.id, v.name);
    return v;
  });
  return JSON.parse(JSON.stringify(json), (_k, v) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    if (v.type === "object" && typeof v.id === "string") {
      const { id: _id, ...rest } = v;
      return rest;
    }
    if (Object.keys(v).length === 1 && typeof v.id === "string") return `-> ${names.get(v.id) ?? "?"}`;
    return v;
  });
}

/** Model names and nesting only: ids and values are dropped; refs become "-> Name". */
export function skeleton(json: unknown): unknown {
  const names = new Map<string, string>();
  JSON.stringify(json, (_k, v) => {
    if (v !== null && typeof v === "object" && v.type === "object" && typeof v.id === "string") names.set(v.id, v.name);
    return v;
  });
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      const items = v.map(walk).filter((x) => x !== undefined);
      return items.length > 0 ? items : undefined;
    }
    if (v === null || typeof v !== "object") return undefined;
    const obj = v as Json;
    if (obj.type === "object" && typeof obj.id === "string") {
      return { name: obj.name, ...(walk(obj.attributes ?? {}) as Json | undefined) };
    }
    if (Object.keys(obj).length === 1 && typeof obj.id === "string") return `-> ${names.get(obj.id)}`;
    const out: Json = {};
    for (const [k, item] of Object.entries(obj)) {
      const s = walk(item);
      if (s !== undefined) out[k] = s;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  };
  return walk(json);
}
