import http from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser } from "playwright-core";
import { Server } from "../../index.ts";
import { createSite } from "../../examples/express-embed/site.ts";
import { bokehRendered, launchBrowser, recordErrors } from "../helpers/browser.ts";

const SECRET = "e2e-secret-key-that-is-long-enough-0123456789";

describe("examples/express-embed in real Chromium", () => {
  let plothost: Server;
  let site: http.Server;
  let browser: Browser;
  beforeAll(async () => {
    plothost = new Server({
      apps: { "/dashboard": fileURLToPath(new URL("../../examples/express-embed/dashboard.ts", import.meta.url)) },
      port: 0, logLevel: "silent", signSessions: true, secretKey: SECRET,
      // The site runs on another port of this host: allow its origin for the WebSocket.
      allowWebsocketOrigin: ["127.0.0.1"],
    });
    [browser] = await Promise.all([launchBrowser(), plothost.start()]);
    site = http.createServer(createSite({ dashboardUrl: `http://127.0.0.1:${plothost.address!.port}/dashboard`, secretKey: SECRET }));
    await new Promise<void>((r) => site.listen(0, "127.0.0.1", r));
  });
  afterAll(async () => {
    await browser?.close();
    site?.closeAllConnections();
    await new Promise((r) => site?.close(r));
    await plothost?.stop();
  });

  it("embeds the app in the site's page with a session customised per visitor", async () => {
    const page = await browser.newPage();
    const errors = recordErrors(page);
    await page.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/?name=Ana`);
    expect(await page.locator("h1").textContent()).toBe("Example site");
    await bokehRendered(page);
    const title = await page.evaluate(() => (window as unknown as { Bokeh: { documents: Array<{ title(): string }> } }).Bokeh.documents[0].title());
    expect(title).toBe("Dashboard for Ana");
    await expect.poll(() => page.locator("text=Hello, Ana!").count(), { timeout: 10_000 }).toBe(1);
    expect(await page.title()).toBe("Example site"); // autoload embeds never take over the host page's title
    expect(errors).toEqual([]);
    await page.close();
  });
});
