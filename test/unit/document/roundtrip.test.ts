import { readFileSync, readdirSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BOKEH_VERSION, Document, Model, type DocJson } from "../../../shared/document/index.ts";
import { DOCS_DIR, TRAFFIC_DIR, readTraffic } from "./traffic.ts";

function docFixtures(): Array<[string, DocJson]> {
  return readdirSync(DOCS_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => {
      const json = JSON.parse(readFileSync(join(DOCS_DIR, f), "utf8"));
      return [f, f.endsWith(".json_item.json") ? json.doc : json];
    });
}

function pulledDocs(): Array<[string, DocJson]> {
  return readdirSync(TRAFFIC_DIR)
    .filter((f) => f.endsWith(".json"))
    .flatMap((f) =>
      readTraffic(join(TRAFFIC_DIR, f))
        .filter((m) => m.dir === "server->client" && m.header.msgtype === "PULL-DOC-REPLY")
        .map((m): [string, DocJson] => [`${f} frame ${m.index}`, m.content.doc]),
    );
}

/** The JSON with inline bytes un-gzipped: we write them gzipped (BokehJS 3.10), Bokeh 3.6 wrote them plain. */
function plainBytes(json: unknown): unknown {
  return JSON.parse(JSON.stringify(json), (_k, v) => {
    if (v !== null && typeof v === "object" && v.type === "bytes" && typeof v.data === "string") {
      const buf = Buffer.from(v.data, "base64");
      return { ...v, data: buf[0] === 0x1f && buf[1] === 0x8b ? gunzipSync(buf).toString("base64") : v.data };
    }
    return v;
  });
}

describe("document JSON round trip", () => {
  it("finds the fixtures it is meant to check", () => {
    expect(docFixtures().map(([f]) => f)).toEqual(["line_scatter_hover.json", "line_scatter_hover.json_item.json", "vbar_categorical.json"]);
    expect(pulledDocs()).toHaveLength(2);
  });

  it.each([...docFixtures(), ...pulledDocs()])("%s: from_json then to_json gives the same JSON", (_name, json) => {
    const doc = Document.from_json(json);
    const out = doc.to_json();
    expect(out.version).toBe(BOKEH_VERSION);
    expect(plainBytes({ ...out, version: json.version })).toEqual(json);
  });

  it.each([...docFixtures(), ...pulledDocs()])("%s: survives a trip with binary buffers", (_name, json) => {
    const { json: withBuffers, buffers } = Document.from_json(json).to_json_with_buffers();
    const again = Document.from_json(withBuffers, new Map(buffers.map((b) => [b.id, b.data])));
    expect(plainBytes({ ...again.to_json(), version: json.version })).toEqual(json);
  });

  it("attaches every model of a parsed document and keeps ids", () => {
    const [, json] = docFixtures()[0];
    const doc = Document.from_json(json);
    expect(doc.roots.map((r) => r.id)).toEqual(["p1004"]);
    const source = doc.get_model_by_id("p1001");
    expect(source?.type).toBe("ColumnDataSource");
    expect(source?.document).toBe(doc);
    const ids = JSON.stringify(json).match(/"id":"p\d+"/g)!.map((s) => s.slice(6, -1));
    expect([...doc.models.keys()].sort()).toEqual([...new Set(ids)].sort());
    for (const model of doc.models.values()) expect(model).toBeInstanceOf(Model);
  });

  it("decodes the ndarray columns of a pulled document into typed arrays", () => {
    const [, json] = pulledDocs()[0];
    const bars = Document.from_json(json).get_model_by_name("bars")!;
    const data = bars.get<Map<string, unknown>>("data");
    expect(data.get("x")).toEqual(Int32Array.of(0, 1, 2, 3, 4));
    expect(data.get("top")).toEqual(Float64Array.of(3, 1.5, 4, 2.5, 5));
  });
});
