import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway } from "../../helpers/start-gateway.ts";
import { appsClient, deployToken, fixture, tarGz, tarGzOf, waitForLine, waitForState } from "./app-helpers.ts";

// Fast backoff and health checks so crash loops and hangs play out within a test.
describe("supervision: crash backoff, crashed apps, hung workers", { timeout: 120_000 }, () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let c: ReturnType<typeof appsClient>;
  beforeAll(async () => {
    gw = await startGateway([
      "--worker-restart-backoff", "50", "--worker-restart-backoff-max", "100", "--worker-crash-limit", "4",
      "--worker-crash-window", "120000", "--worker-health-interval", "300", fixture("hang.ts"),
    ]);
    c = appsClient(gw.url, await deployToken(gw.url));
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("restarts a crashing app with growing backoff, then marks it crashed; the page and the owner's logs say so", async () => {
    const res = await c.deploy("crashy", await tarGz(fixture("crashy.ts")));
    expect((await c.waitForJob("crashy", res.body.deploy.id)).state).toBe("done");
    const log = gw.apps.router.logFor("defaultuser", "crashy");
    await waitForLine(log, /restarting in 50 ms/);
    await waitForLine(log, /restarting in 100 ms/);
    const pool = gw.apps.router.get("defaultuser", "crashy")!;
    await waitForState(pool, () => pool.state, "crashed");
    expect(log.tail().join("\n")).toMatch(/crashed 4 times within 120000 ms, so the app is marked crashed/);

    const page = await fetch(`${gw.url}/defaultuser/crashy`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(503);
    expect(await page.text()).toContain("This app has crashed");
    const json = await fetch(`${gw.url}/defaultuser/crashy`);
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe("app_crashed");
    expect((await c.api("GET", "/crashy")).body.state).toBe("crashed");
    const logs = await c.api("GET", "/crashy/logs");
    expect(logs.body.lines.join("\n")).toContain("crashy: deliberate crash after start");

    // A fixed version serves again.
    const fixed = await c.deploy("crashy", await tarGzOf({ "crashy.ts": 'import { Div, type Document } from "plothost";\nexport default (doc: Document) => { doc.title = "fixed"; doc.add_root(new Div({ text: "ok" })); };\n' }));
    expect((await c.waitForJob("crashy", fixed.body.deploy.id)).state).toBe("done");
    expect(await (await fetch(`${gw.url}/defaultuser/crashy`)).text()).toContain("<title>fixed</title>");
  });

  it("kills a worker that stops answering health checks, and starts a new one", async () => {
    const sup = gw.supervisors.get("hang")!;
    await sup.ready();
    const hungPid = sup.pid;
    const killed = waitForLine(sup, /did not answer two health checks/);
    const restarted = new Promise<void>((resolve) => {
      const on = (s: string) => {
        if (s === "running" && sup.pid !== hungPid) {
          sup.off("state", on);
          resolve();
        }
      };
      sup.on("state", on);
    });
    const hung = await fetch(`${gw.url}/hang?hang=1`);
    expect(hung.status).toBe(503); // the worker died under the request
    await killed;
    await restarted;
    expect(await (await fetch(`${gw.url}/hang`)).text()).toContain(`<title>pid:`);
  });
});
