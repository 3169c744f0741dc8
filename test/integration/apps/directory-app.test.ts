import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startGateway } from "../../helpers/start-gateway.ts";
import { fixture, openSession, waitForLine, waitForState } from "./app-helpers.ts";

type Obj = { type?: string; name?: string; id: string; attributes?: Record<string, any> };
const models = (v: unknown, out: Obj[] = []): Obj[] => {
  if (Array.isArray(v)) for (const x of v) models(x, out);
  else if (v && typeof v === "object") {
    const o = v as Obj;
    if (o.type === "object" && typeof o.name === "string") out.push(o);
    for (const x of Object.values(v)) models(x, out);
  }
  return out;
};

// A directory app given to `plothost serve` as a path, served at its short /<app> path.
describe("a directory app (main.ts, server_lifecycle.ts, theme.json, static/, templates/)", { timeout: 120_000 }, () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  beforeAll(async () => {
    gw = await startGateway([
      "--unused-session-lifetime", "200", "--check-unused-sessions", "100", "--worker-idle-timeout", "600", fixture("dirapp"),
    ]);
  });
  afterAll(async () => {
    await gw?.close();
  });

  it("renders templates/index.html with the document's template variables and its roots", async () => {
    const res = await fetch(`${gw.url}/dirapp`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<h1 id="greeting">Hello &lt;b&gt;world&lt;/b&gt;</h1>');
    expect(html).toMatch(/<p id="created">created [\w-]+<\/p>/); // set by onSessionCreated
    expect(html).toMatch(/<aside><div id="[\w-]+" data-root-id="p\d+"/); // embed(roots.note)
    expect(html).toMatch(/<main><div id="[\w-]+" data-root-id="p\d+"/); // plot_div: the other root
    expect(html).toContain("/static/js/bokeh.min.js?v=");
    expect(html).toContain("Bokeh.embed.embed_items");
    expect(html).toMatch(/<title>dirapp [\w-]+<\/title>/);
  });

  it("serves static/ under /<app>/static/, and nothing outside it", async () => {
    const css = await fetch(`${gw.url}/dirapp/static/style.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toContain("text/css");
    expect(await css.text()).toContain("teal");
    expect((await fetch(`${gw.url}/dirapp/static/%2e%2e/main.ts`)).status).toBe(404);
    expect((await fetch(`${gw.url}/dirapp/static/missing.css`)).status).toBe(404);
  });

  it("runs main.ts with its helper module and data file, and applies theme.json to the document", async () => {
    const { doc, client } = await openSession(gw.url, "/dirapp", "?who=ann");
    const all = models(doc.roots);
    const div = all.find((m) => m.name === "Div")!;
    expect(div.attributes!.text).toBe("4 points, max y 4; who=ann");
    expect(div.attributes!.styles).toEqual({ color: "teal" });
    const fig = all.find((m) => m.name === "Figure")!;
    expect(fig.attributes!.background_fill_color).toBe("#123456");
    await client.close();
  });

  it("destroys an unused session (running onSessionDestroyed), stops the idle worker, and cold-starts it again", async () => {
    const sup = gw.supervisors.get("dirapp")!;
    await sup.ready();
    const firstPid = sup.pid;
    const html = await (await fetch(`${gw.url}/dirapp`)).text();
    const sessionId = /created ([\w-]+)/.exec(html)![1];
    const documentCallback = waitForLine(sup, new RegExp(`document: session destroyed ${sessionId}`));
    await waitForLine(sup, new RegExp(`lifecycle: session destroyed ${sessionId}`));
    await documentCallback; // the document's own on_session_destroyed callbacks run too
    const unloaded = waitForLine(sup, /lifecycle: server unloaded/);
    await waitForState(sup, () => sup.state, "stopped");
    await unloaded;
    const again = await fetch(`${gw.url}/dirapp`);
    expect(again.status).toBe(200);
    expect(sup.state).toBe("running");
    expect(sup.pid).not.toBe(firstPid);
  });
});
