/**
 * `npm run fuzz -- [--seed N] [--count N] [--sockets N] [--max-message-size B]`: the protocol fuzzer for longer
 * runs than `npm test` does. In-process cases against ProtocolConnection first, then (unless `--sockets 0`) cases
 * over real WebSockets through a real gateway to a real sandboxed worker. Exits 1 when any case failed.
 */
import type { Duplex } from "node:stream";
import { parseArgs } from "node:util";
import demo from "../../../apps/demo.ts";
import { fuzzInProcess, type FuzzReport } from "./in-process.ts";

const { values } = parseArgs({
  options: {
    seed: { type: "string" }, count: { type: "string" }, sockets: { type: "string" }, "max-message-size": { type: "string" },
  },
});
const seed = Number(values.seed ?? Math.floor(Math.random() * 2 ** 31));
const count = Number(values.count ?? 1_000_000);
const sockets = Number(values.sockets ?? 1000);
const maxMessageBytes = Number(values["max-message-size"] ?? 16 * 1024);

function summary(name: string, r: FuzzReport): void {
  console.log(`${name}: ${r.cases} cases in ${(r.elapsedMs / 1000).toFixed(1)} s, ${r.failures.length} failures, ${r.known} from known issues in other code (known-issues.ts)`);
  console.log(`  by kind: ${JSON.stringify(r.byKind)}`);
  console.log(`  endings: ${JSON.stringify(r.endings)}  replies: ${JSON.stringify(r.replies)}  app callback errors: ${r.callbackErrors}`);
  for (const f of r.failures) console.log(`  FAIL seed ${f.seed} case ${f.index} (${f.kind}): ${f.problem}\n    frames: ${f.frames}`);
}

console.log(`protocol fuzz: seed ${seed}, ${count} in-process cases, ${sockets} over sockets, max message ${maxMessageBytes} B`);
const inProcess = await fuzzInProcess({
  app: demo, seed, count, maxMessageBytes,
  onProgress: (done) => {
    if (done % 100_000 < 32) console.log(`  ${done} cases...`);
  },
});
summary("in-process", inProcess);
let failed = inProcess.failures.length > 0;
if (sockets > 0) {
  const { fuzzOverSockets } = await import("./over-sockets.ts");
  const { startGateway } = await import("../../helpers/start-gateway.ts");
  const gw = await startGateway(["--websocket-max-message-size", String(maxMessageBytes)]);
  const upgraded = new Set<Duplex>();
  gw.server.on("upgrade", (_req, socket: Duplex) => {
    upgraded.add(socket);
    socket.once("close", () => upgraded.delete(socket));
  });
  try {
    const sup = gw.supervisors.get("demo")!;
    await sup.ready();
    const pid = sup.pid;
    const exits: unknown[] = [];
    sup.on("exit", (e) => exits.push(e));
    const overSockets = await fuzzOverSockets({ port: gw.port, app: "demo", maxMessageBytes }, { seed, count: sockets });
    summary("over sockets", overSockets);
    failed ||= overSockets.failures.length > 0;
    if (exits.length > 0 || sup.pid !== pid) {
      console.log(`  FAIL the worker exited or restarted during the run: ${JSON.stringify(exits)}`);
      failed = true;
    }
  } finally {
    if (upgraded.size > 0) {
      console.log(`  FAIL ${upgraded.size} proxied sockets still open on the gateway after the run (see protocol-fuzz.test.ts); destroying them`);
      failed = true;
      for (const socket of upgraded) socket.destroy();
    }
    await gw.close();
  }
}
process.exit(failed ? 1 : 0);
