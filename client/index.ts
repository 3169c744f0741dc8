// The client library (`plothost/client`): what scripts and other sites' servers use to talk to a plothost server.
export { pullSession, ClientSession, ClientSessionError, type PullSessionOptions } from "./client-session.ts";
export { Session, type SessionOptions, type PublishOptions, type TokenSource } from "./session.ts";
export { PublishedDocument, type LiveState } from "./published-document.ts";
export type { LiveEventMap } from "./live-events.ts";
export {
  PlothostClientError, AuthError, NotFoundError, ValidationError, ServerUnavailableError, CredentialsError,
} from "./errors.ts";
export { CredentialsStore, serverKey, type StoredCredential } from "./credentials-store.ts";
export type { DocumentInfo, NewToken, TokenInfo, UserInfo, WhoAmI } from "./api-types.ts";
export type { TokenScope } from "./tokens-api.ts";
export { isFinished, type AppInfo, type DeployJob, type DeployStarted } from "./apps-api.ts";
export { packApp } from "./tar-gz.ts";
export { serverDocument, serverSession, type EmbedOptions } from "../shared/embed/index.ts";
export { generateSessionId } from "../shared/protocol/index.ts";
export * from "../shared/index.ts";
