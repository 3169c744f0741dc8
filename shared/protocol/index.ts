/**
 * The Bokeh server WebSocket protocol as BokehJS 3.x and Python `bokeh.client` speak it: message types and
 * constructors for each direction, frame encoding and decoding, session ids and tokens, and the subprotocol
 * handshake. Works on frames (`string | Uint8Array`); it knows nothing about sockets.
 */
export * from "./errors.ts";
export * from "./message.ts";
export * from "./json-shape.ts";
export * from "./client-messages.ts";
export * from "./server-messages.ts";
export * from "./frames.ts";
export * from "./receiver.ts";
export * from "./token.ts";
export * from "./subprotocol.ts";
export * from "./worker-http.ts";
