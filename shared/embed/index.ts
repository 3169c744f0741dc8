export { serverDocument, serverSession, type EmbedOptions } from "./server-embed.ts";
