import { readFileSync } from "node:fs";
import type { RecordedClientMessage } from "./generator.ts";
import type { ModelInfo } from "./values.ts";

/** Every model written in full anywhere inside a document's JSON. */
export function modelsIn(value: unknown, out: ModelInfo[] = []): ModelInfo[] {
  if (Array.isArray(value)) for (const v of value) modelsIn(v, out);
  else if (value && typeof value === "object") {
    const o = value as { type?: unknown; name?: unknown; id?: unknown; attributes?: Record<string, unknown> };
    if (o.type === "object" && typeof o.id === "string" && typeof o.name === "string") out.push({ id: o.id, name: o.name, attributes: o.attributes ?? {} });
    for (const v of Object.values(value)) modelsIn(v, out);
  }
  return out;
}

interface RecordedFrame {
  dir: "client->server" | "server->client";
  type: "text" | "binary";
  text?: string;
}

/** The client→server messages of the recorded Bokeh 3.6 sessions (browser and bokeh.client), without buffers. */
export function recordedClientMessages(): RecordedClientMessage[] {
  const out: RecordedClientMessage[] = [];
  for (const name of ["browser_session", "pull_session"]) {
    const url = new URL(`../../fixtures/bokeh-3.6-traffic/${name}.json`, import.meta.url);
    const { frames } = JSON.parse(readFileSync(url, "utf8")) as { frames: RecordedFrame[] };
    const mine = frames.filter((f) => f.dir === "client->server" && f.type === "text").map((f) => JSON.parse(f.text as string) as unknown);
    // None of the recorded client messages carries buffers: they come in threes.
    for (let i = 0; i + 2 < mine.length; i += 3) {
      out.push({ header: mine[i] as Record<string, unknown>, metadata: mine[i + 1], content: mine[i + 2] });
    }
  }
  return out;
}

/** A short, printable description of frames for failure reports. */
export function previewFrames(frames: ReadonlyArray<string | Uint8Array>, max = 600): string {
  const parts = frames.map((f) => (typeof f === "string" ? (f.length > 120 ? `${JSON.stringify(f.slice(0, 120))}…(${f.length} chars)` : JSON.stringify(f)) : `<binary ${f.byteLength} B>`));
  const all = parts.join(" | ");
  return all.length > max ? `${all.slice(0, max)}…` : all;
}
