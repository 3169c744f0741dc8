import { readFileSync } from "node:fs";

/** One Bokeh protocol message reassembled from a recorded fixture (header, metadata, content, buffers). */
export interface RecordedMessage {
  /** Frame index of the header in the recording (messages are returned in this order). */
  index: number;
  dir: "client->server" | "server->client";
  header: { msgid: string; msgtype: string; reqid?: string; num_buffers?: number };
  content: any;
  buffers: Map<string, Uint8Array>;
}

interface Frame {
  i: number;
  dir: "client->server" | "server->client";
  type: "text" | "binary";
  text?: string;
  base64?: string;
}

/**
 * Reads a traffic fixture and reassembles its messages per direction (frames of the two directions interleave):
 * header, metadata, content, then for each buffer a `{"id"}` text frame and a binary frame.
 */
export function readTraffic(path: string): RecordedMessage[] {
  const { frames } = JSON.parse(readFileSync(path, "utf8")) as { frames: Frame[] };
  const messages: RecordedMessage[] = [];
  for (const dir of ["client->server", "server->client"] as const) {
    const mine = frames.filter((f) => f.dir === dir);
    let k = 0;
    while (k < mine.length) {
      const index = mine[k].i;
      const header = JSON.parse(mine[k].text!);
      const content = JSON.parse(mine[k + 2].text!);
      k += 3;
      const buffers = new Map<string, Uint8Array>();
      for (let b = 0; b < (header.num_buffers ?? 0); b++) {
        const { id } = JSON.parse(mine[k].text!) as { id: string };
        buffers.set(id, new Uint8Array(Buffer.from(mine[k + 1].base64!, "base64")));
        k += 2;
      }
      messages.push({ index, dir, header, content, buffers });
    }
  }
  return messages.sort((a, b) => a.index - b.index);
}

export const TRAFFIC_DIR = "test/fixtures/bokeh-3.6-traffic";
export const DOCS_DIR = "test/fixtures/bokeh-3.6-docs";
