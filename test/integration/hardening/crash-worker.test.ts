/**
 * Crash safety (issue 10): an app worker SIGKILLed with sessions open is replaced by its supervisor, its sessions
 * are closed (not left hanging), new sessions are served, and the published-document API never notices.
 */
import { describe, expect, it } from "vitest";
import { BokehTestClient, tokenFromPage } from "../../helpers/bokeh-client.ts";
import { startGateway } from "../../helpers/start-gateway.ts";
import { expectNoneLost, load, publish, storedXs } from "./crash-harness.ts";

describe("kill -9 of a worker under load", () => {
  it("the supervisor replaces it and new sessions are served, while published documents never notice", async () => {
    const gw = await startGateway(["--worker-restart-backoff", "100"]);
    try {
      const sup = gw.supervisors.get("demo")!;
      await sup.ready();
      const doc = await publish(gw.url);
      const writes = load(gw.url, doc);
      const open = async () => {
        const page = await fetch(`${gw.url}/demo`);
        const client = await BokehTestClient.connect(`ws://127.0.0.1:${gw.port}/demo/ws`, tokenFromPage(await page.text()));
        expect((await client.next()).header.msgtype).toBe("ACK");
        return client;
      };
      const clients = await Promise.all([open(), open(), open()]);
      const old = sup.pid!;
      const gone = Promise.all(clients.map((c) => c.closed));
      process.kill(old, "SIGKILL");
      await gone; // the sessions on the killed worker are closed, not left hanging
      const deadline = Date.now() + 30_000;
      while ((sup.state !== "running" || sup.pid === old) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(sup.pid).not.toBe(old);
      const fresh = await open();
      await fresh.close();
      await writes.afterAcks(20); // the document API kept acknowledging throughout
      writes.stop();
      await writes.done;
      expectNoneLost(writes.acked, await storedXs(gw.url, doc));
    } finally {
      await gw.close();
    }
  }, 120_000);
});
