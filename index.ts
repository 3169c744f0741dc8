// The `plothost` package entry for Node programs: the document API and model helpers (what apps use), the
// programmatic Server, the embedding helpers and the client. App code running in a worker gets only the document
// API (the worker resolves "plothost" to shared/index.ts), never the server.
export * from "./shared/index.ts";
export { Server, type ServerOptions } from "./gateway/src/server.ts";
export { serverDocument, serverSession, type EmbedOptions } from "./shared/embed/index.ts";
export { pullSession, ClientSession, ClientSessionError, type PullSessionOptions } from "./client/client-session.ts";
export { generateSessionId } from "./shared/protocol/index.ts";
