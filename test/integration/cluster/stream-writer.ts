/** A script streaming sequence numbers into a published document, and reading them back (the cluster tests). */
import { ColumnDataSource, Div, Document } from "../../../shared/index.ts";

/** Publishes a public document with one empty `seq` column (POST /api/v1/docs); its id and the source's. */
export async function publishSeqDocument(base: string): Promise<{ id: string; sourceId: string }> {
  const source = new ColumnDataSource({ data: { seq: [] } });
  const doc = new Document();
  doc.add_root(new Div({ text: "sequence" }));
  doc.add_root(source);
  const created = await fetch(`${base}/api/v1/docs?name=seq&visibility=public`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(doc.to_json()),
  });
  if (created.status !== 201) throw new Error(`publishing: HTTP ${created.status} ${await created.text()}`);
  return { id: ((await created.json()) as { id: string }).id, sourceId: source.id };
}

/** The `seq` column of the document's ColumnDataSource `sourceId`. */
export const seqOf = (doc: Document, sourceId: string): number[] =>
  Array.from(doc.get_model_by_id(sourceId)!.get<Map<string, ArrayLike<number>>>("data").get("seq") ?? [], Number);

/**
 * A script streaming point `seq`, `seq + 1`, ... through the HTTP API, one request at a time, retrying a request
 * that fails (a connection cut, a 5xx) as a real script would. `acked` holds each sequence number once answered 200.
 */
export function startWriter(base: string, id: string, sourceId: string) {
  const acked: number[] = [];
  let running = true;
  let failures = 0;
  const done = (async () => {
    for (let seq = 0; running; seq++) {
      for (let attempt = 0; ; attempt++) {
        if (attempt > 100) throw new Error(`point ${seq}: no success in 100 attempts`);
        try {
          const res = await fetch(`${base}/api/v1/docs/${id}/stream`, {
            method: "POST", headers: { "content-type": "application/json" },
            body: JSON.stringify({ source: sourceId, data: { seq: [seq] } }), signal: AbortSignal.timeout(10_000),
          });
          if (res.status === 200) {
            await res.arrayBuffer();
            acked.push(seq);
            break;
          }
          if (res.status < 500) throw new Error(`point ${seq}: HTTP ${res.status} ${await res.text()}`);
        } catch (err) {
          if ((err as Error).message.startsWith(`point ${seq}`)) throw err;
        }
        failures += 1;
        await new Promise((resolve) => setTimeout(resolve, 50)); // a script's retry back-off
      }
    }
  })();
  return { acked, failures: () => failures, stop: async () => ((running = false), await done) };
}
