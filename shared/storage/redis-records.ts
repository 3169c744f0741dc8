import type { DocumentChange, DocumentMeta, Visibility } from "./index.ts";
import { frozenMeta } from "./records.ts";

/** Hash field values as Redis returns them (missing fields are null, or false inside script replies). */
export type Fields = ReadonlyArray<Buffer | string | null | false>;

function str(value: Buffer | string | null | false | undefined): string | null {
  if (value === null || value === false || value === undefined) return null;
  return value.toString();
}

/** The metadata from the hash fields (`META_FIELDS` order), or null when the document does not exist. */
export function metaFromFields(id: string, fields: Fields): { meta: DocumentMeta; log: { bytes: number; records: number } } | null {
  const v = fields.map(str);
  if (v[5] === null) return null;
  const meta = frozenMeta({
    id,
    owner: v[0] ?? "",
    name: v[1] ?? "",
    title: v[2] ?? "",
    visibility: (v[3] ?? "private") as Visibility,
    sharedWith: JSON.parse(v[4] ?? "[]"),
    version: Number(v[5]),
    createdAt: v[6] ?? "",
    updatedAt: v[7] ?? "",
    sizeBytes: Number(v[8]),
  });
  return { meta, log: { bytes: Number(v[9] ?? 0), records: Number(v[10] ?? 0) } };
}

/** A write script's `{status, detail?}` reply. */
export function statusOf(reply: unknown): [string, string | null] {
  const [status, detail] = reply as Buffer[];
  return [status.toString(), detail === undefined || detail === null ? null : detail.toString()];
}

/**
 * A pub/sub message of document `id`'s channel as a change notification, or the reason it is not one. Messages are
 * JSON: `{kind, id, version, origin, events?}`, except `meta`, which the script writes as `{kind, id, origin,
 * fields}` with the hash fields read in the same atomic step.
 */
export function parseChange(id: string, message: string): DocumentChange | string {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(message);
  } catch {
    return "not JSON";
  }
  if (raw === null || typeof raw !== "object" || raw.id !== id) return "not a change of this channel's document";
  const origin = typeof raw.origin === "string" ? raw.origin : null;
  if (raw.kind === "meta") {
    const found = Array.isArray(raw.fields) ? metaFromFields(id, raw.fields as Fields) : null;
    if (found === null) return "meta change without fields";
    return { kind: "meta", id, version: found.meta.version, meta: found.meta, origin };
  }
  if (typeof raw.version !== "number") return "change without a version";
  if (raw.kind === "events" && Array.isArray(raw.events)) return { kind: "events", id, version: raw.version, events: raw.events, origin };
  if (raw.kind === "replaced" || raw.kind === "deleted") return { kind: raw.kind, id, version: raw.version, origin };
  return `unknown change kind ${JSON.stringify(raw.kind)}`;
}
