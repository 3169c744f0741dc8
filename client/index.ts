// The client library (`plothost/client`): what scripts and other sites' servers use to talk to a plothost server.
export { pullSession, ClientSession, ClientSessionError, type PullSessionOptions } from "./client-session.ts";
export { serverDocument, serverSession, type EmbedOptions } from "../shared/embed/index.ts";
export { generateSessionId } from "../shared/protocol/index.ts";
export * from "../shared/index.ts";
