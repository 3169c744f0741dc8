import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import net, { type AddressInfo } from "node:net";
import type { RequestListener } from "node:http";
import type { ListenConfig } from "../../shared/config/index.ts";

/** Where the gateway listens: `address:port` over HTTP or HTTPS, or a Unix socket. */
export type ListenTarget = Pick<ListenConfig, "tls" | "unixSocket" | "urlPrefix" | "headersTimeoutMs" | "requestTimeoutMs"> & {
  readonly port: number; readonly address: string;
};

/**
 * The gateway's server: HTTPS when a certificate and key are configured (read once, here), else HTTP. Typed as
 * `http.Server` because everything the gateway uses (`upgrade`, `connection`, `close`) is the same on both.
 * Clients that are slow to send their headers or request are dropped (`--http-headers-timeout`,
 * `--http-request-timeout`); Node checks for them every `connectionsCheckingInterval`, so that is a fraction of
 * the headers timeout (at most 1 s) rather than Node's 30 s.
 */
export function createServer(target: ListenTarget, handler: RequestListener): http.Server {
  const timeouts = {
    headersTimeout: target.headersTimeoutMs,
    requestTimeout: target.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(target.headersTimeoutMs / 4))),
  };
  if (!target.tls) return http.createServer(timeouts, handler);
  const options = { ...timeouts, cert: fs.readFileSync(target.tls.certFile), key: fs.readFileSync(target.tls.keyFile) };
  return https.createServer(options, handler) as unknown as http.Server;
}

/**
 * Starts listening and resolves with the bound port (0 on a Unix socket) and the URL to print. A Unix socket file
 * left behind by a server that is gone is replaced; one that still answers is `EADDRINUSE`.
 */
export async function listen(server: http.Server, target: ListenTarget): Promise<{ port: number; url: string }> {
  if (target.unixSocket !== null) await removeStaleSocket(target.unixSocket);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    const done = () => {
      server.off("error", reject);
      resolve();
    };
    if (target.unixSocket !== null) server.listen(target.unixSocket, done);
    else server.listen(target.port, target.address, done);
  });
  if (target.unixSocket !== null) {
    return { port: 0, url: `http+unix://${encodeURIComponent(target.unixSocket)}${target.urlPrefix}` };
  }
  const { port } = server.address() as AddressInfo;
  const host = ["127.0.0.1", "0.0.0.0", "::", "::1"].includes(target.address) ? "localhost" : target.address.includes(":") ? `[${target.address}]` : target.address;
  return { port, url: `${target.tls ? "https" : "http"}://${host}:${port}${target.urlPrefix}` };
}

async function removeStaleSocket(file: string): Promise<void> {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch {
    return;
  }
  if (!stat.isSocket()) return; // listen() reports EADDRINUSE and the file is left alone
  const answers = await new Promise<boolean>((resolve) => {
    const probe = net.connect(file);
    probe.once("connect", () => (probe.destroy(), resolve(true)));
    probe.once("error", () => resolve(false));
  });
  if (!answers) fs.rmSync(file, { force: true });
}
