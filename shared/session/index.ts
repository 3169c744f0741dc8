// Live document sessions over the Bokeh protocol, independent of any socket library: used by app workers (app
// sessions) and by the gateway (published documents, which run no tenant code).
export { DocumentLock } from "./document-lock.ts";
export { ServerSession, type SessionSubscriber } from "./server-session.ts";
export { ProtocolConnection, CLOSE_SESSION_FAILED, type FrameSocket, type ConnectionProblem } from "./protocol-connection.ts";
