import http from "node:http";
import type { Duplex } from "node:stream";
import { PlothostError } from "../../../shared/errors/catalogue.ts";
import type { Logger } from "../../../shared/logging/create-logger.ts";
import { sessionIdOf } from "../apps/app-router.ts";
import { answerError, createWorkerProxy, refuseUpgrade, unixTarget } from "../worker-proxy.ts";
import { RUNNER_AUTH_HEADER, RUNNER_WORKER_HEADER, verifyRunnerAuth } from "./runner-auth.ts";
import type { HostedWorker } from "./runner-host.ts";

/**
 * A runner's one TCP listener: gateways' HTTP requests and WebSocket upgrades for its workers. Each must name the
 * worker (`x-plothost-worker`) and prove the shared secret for it (`x-plothost-runner-auth`, runner-auth.ts), and
 * stay under that worker's app prefix; it is then proxied to the worker's Unix socket (which nothing else can
 * reach). Anything else is refused with a JSON error, never forwarded; `GET /healthz` answers 200 to anyone.
 */
export function createRunnerFront(opts: {
  secret: string;
  logger: Logger;
  worker(id: string): HostedWorker | undefined;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}): http.Server {
  const proxy = createWorkerProxy({ logger: opts.logger });
  const agent = new http.Agent({ keepAlive: true, timeout: 2000 });

  /** The worker's socket for an authenticated request under its prefix (its saved session restored first), or why not. */
  const admit = async (req: http.IncomingMessage): Promise<string> => {
    const workerId = String(req.headers[RUNNER_WORKER_HEADER] ?? "");
    if (!verifyRunnerAuth(opts.secret, workerId, req.headers[RUNNER_AUTH_HEADER] as string | undefined)) {
      opts.logger.warn({ remote: req.socket.remoteAddress, url: req.url }, "runner request refused: no valid proof of the runner secret");
      throw new PlothostError("runner_auth_failed");
    }
    delete req.headers[RUNNER_AUTH_HEADER];
    delete req.headers[RUNNER_WORKER_HEADER];
    const w = opts.worker(workerId);
    if (!w) throw new PlothostError("worker_gone", workerId);
    const pathname = new URL(req.url ?? "/", "http://runner.invalid").pathname;
    if (pathname !== w.prefix && !pathname.startsWith(`${w.prefix}/`)) throw new PlothostError("not_found", pathname);
    const socketPath = await w.supervisor.ready();
    const sessionId = sessionIdOf(req);
    // A session saved by a worker that died (a restorable app's) is restored on this one before it is reached.
    if (sessionId) await w.supervisor.prepareSession(sessionId);
    return socketPath;
  };

  const server = http.createServer({ headersTimeout: opts.headersTimeoutMs, requestTimeout: opts.requestTimeoutMs }, (req, res) => {
    // Liveness for container health checks; it says nothing about the workers.
    if (req.url === "/healthz" && req.method === "GET") return void res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
    admit(req).then(
      (socketPath) => proxy.web(req, res, { target: unixTarget(socketPath), agent }),
      (err: unknown) => answerError(res, err instanceof PlothostError ? err : new PlothostError("app_unavailable")),
    );
  });
  server.on("upgrade", (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    admit(req).then(
      (socketPath) => proxy.ws(req, socket, head, { target: unixTarget(socketPath) }),
      (err: unknown) => refuseUpgrade(socket, err instanceof PlothostError ? err : new PlothostError("app_unavailable")),
    );
  });
  server.on("close", () => {
    proxy.close();
    agent.destroy();
  });
  return server;
}
