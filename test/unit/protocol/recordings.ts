import { readFileSync } from "node:fs";
import { Receiver } from "../../../shared/protocol/receiver.ts";
import type { Message } from "../../../shared/protocol/message.ts";

/** One recorded WebSocket frame (see test/fixtures/bokeh-3.6-traffic/README.md). */
export interface RecordedFrame {
  i: number;
  dir: "client->server" | "server->client";
  type: "text" | "binary";
  text?: string;
  base64?: string;
  length?: number;
}

/** One recording file. */
export interface Recording {
  label: string;
  request: { url: string; headers: Record<string, string> };
  frames: RecordedFrame[];
}

export const RECORDING_NAMES = ["pull_session", "browser_session"] as const;

const FIXTURES = new URL("../../fixtures/bokeh-3.6-traffic/", import.meta.url);

export function loadRecording(name: (typeof RECORDING_NAMES)[number]): Recording {
  return JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), "utf8")) as Recording;
}

/** The frames of one direction, as a WebSocket library would hand them over. */
export function framesOf(recording: Recording, dir: RecordedFrame["dir"]): Array<string | Uint8Array> {
  return recording.frames
    .filter((frame) => frame.dir === dir)
    .map((frame) => (frame.type === "text" ? (frame.text as string) : new Uint8Array(Buffer.from(frame.base64 as string, "base64"))));
}

/** Feeds all frames through one fresh Receiver; fails if frames are left over after the last message. */
export function decodeAll(frames: Array<string | Uint8Array>): Message[] {
  const receiver = new Receiver();
  const messages: Message[] = [];
  let pending = 0;
  for (const frame of frames) {
    const message = receiver.consume(frame);
    pending += 1;
    if (message) {
      messages.push(message);
      pending = 0;
    }
  }
  if (pending !== 0) throw new Error(`${pending} frames left over after the last complete message`);
  return messages;
}

/** The shape of a JSON value: its types and object keys, not its values. */
export function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (typeof value === "object") {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, shapeOf((value as Record<string, unknown>)[key])]));
  }
  return typeof value;
}
