/**
 * Helpers for the client-library and CLI tests: a real multi-user gateway (cheap bcrypt), a private plothost home
 * directory per test, and Sessions that read nothing from the test process's environment.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import net, { type Socket } from "node:net";
import { Session, type SessionOptions } from "../../../client/index.ts";
import { startGateway } from "../../helpers/start-gateway.ts";

export type Gw = Awaited<ReturnType<typeof startGateway>> & {
  /** Cuts every client connection at once (HTTP and WebSocket), as a crashing server would. */
  dropConnections(): void;
};

/** A multi-user gateway on an ephemeral port (cheap bcrypt cost 4); `extra` adds flags. */
export async function startMultiUser(extra: string[] = [], dataDir?: string): Promise<Gw> {
  const gw = await startGateway(["-m", "--bcrypt-cost", "4", ...extra], {}, dataDir);
  const sockets = new Set<Socket>();
  gw.server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  return Object.assign(gw, { dropConnections: () => sockets.forEach((s) => s.destroy()) });
}

const homes = new Set<string>();

/** A fresh PLOTHOST_HOME (mode 0700, as mkdtemp makes it); removed by `remove` or by {@link removeTempHomes}. */
export function tempHome(): { home: string; remove: () => void } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "plothost-home-"));
  homes.add(home);
  return { home, remove: () => void (fs.rmSync(home, { recursive: true, force: true }), homes.delete(home)) };
}

/** Removes every home {@link tempHome} made in this test file (call it in `afterAll`). */
export function removeTempHomes(): void {
  for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
  homes.clear();
}

/** A Session on `gw` whose environment is only `env` (never the test process's PLOTHOST_* variables). */
export function sessionFor(gw: Gw, home: string, opts: SessionOptions = {}, env: Record<string, string> = {}): Session {
  return new Session({ rootUrl: gw.url, env: { PLOTHOST_HOME: home, ...env }, retries: 2, ...opts });
}

let counter = 0;
/** A username unique within the test run. */
export function username(prefix = "user"): string {
  counter += 1;
  return `${prefix}${process.pid}x${counter}`;
}

export const PASSWORD = "correct horse battery";

/** A port nothing listens on (just freed), for "server unreachable" paths. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
