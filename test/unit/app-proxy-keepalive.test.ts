import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import express from "express";
import { afterEach, describe, expect, it } from "vitest";
import { AppProxy } from "../../gateway/src/app-proxy.ts";
import { createLogger } from "../../shared/logging/create-logger.ts";

/** A stand-in worker on a Unix socket that counts the connections the gateway opens to it. */
async function fakeWorker(dir: string): Promise<{ socketPath: string; server: http.Server; connections: () => number }> {
  const socketPath = path.join(dir, "worker.sock");
  let connections = 0;
  const server = http.createServer((req, res) => {
    if (req.url?.endsWith("/last")) res.setHeader("connection", "close"); // the worker ends this connection
    res.end(`worker saw ${req.url}`);
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return { socketPath, server, connections: () => connections };
}

/** GET through a client agent that keeps its own connection to the gateway open. */
function get(port: number, agent: http.Agent, urlPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: "127.0.0.1", port, path: urlPath, agent }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    }).on("error", reject);
  });
}

describe("the app proxy's connections to a worker socket", () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it("reuses one keep-alive connection for proxied HTTP requests, and reconnects once the worker closes it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-proxy-"));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const worker = await fakeWorker(dir);
    cleanups.push(() => new Promise<void>((resolve) => {
      worker.server.closeAllConnections();
      worker.server.close(() => resolve());
    }));
    const proxy = new AppProxy(new Map(), {
      logger: createLogger({ level: "silent" }), allowWebsocketOrigins: [], readyTimeoutMs: 5000,
      resolve: () => ({ ready: async () => worker.socketPath }),
    });
    cleanups.push(() => proxy.close());
    const gateway = http.createServer(express().use(proxy.http));
    await new Promise<void>((resolve) => gateway.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => {
      gateway.closeAllConnections();
      gateway.close(() => resolve());
    }));
    const port = (gateway.address() as AddressInfo).port;
    const client = new http.Agent({ keepAlive: true, maxSockets: 1 });
    cleanups.push(() => client.destroy());

    for (const p of ["/demo", "/demo/a", "/demo/b"]) {
      expect(await get(port, client, p)).toEqual({ status: 200, body: `worker saw ${p}` });
    }
    expect(worker.connections()).toBe(1);

    // The worker ends the connection (as when it stops or its keep-alive timeout passes): the next request opens
    // a fresh one.
    expect(await get(port, client, "/demo/last")).toEqual({ status: 200, body: "worker saw /demo/last" });
    expect(await get(port, client, "/demo/c")).toEqual({ status: 200, body: "worker saw /demo/c" });
    expect(worker.connections()).toBe(2);
  });
});
