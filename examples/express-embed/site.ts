/**
 * An Express site that embeds a plothost app in its own page and customises the session per visitor — the flow
 * Bokeh's docs show with Flask (`pull_session`, change the document, `server_session`).
 *
 *   PLOTHOST_SECRET_KEY=$(npx plothost secret) npx tsx examples/express-embed/site.ts
 *
 * starts plothost on :5006 (signing sessions, allowing the site's origin) and the site on :3000.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import express from "express";
import { Server, pullSession, serverSession, generateSessionId, Div } from "plothost";

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);

/** The site: `GET /?name=Ana` pulls a fresh session of the dashboard, personalises it, and embeds it. */
export function createSite(opts: { dashboardUrl: string; secretKey: string }): express.Express {
  const app = express();
  app.get("/", async (req, res, next) => {
    try {
      const name = typeof req.query.name === "string" && req.query.name.trim() ? req.query.name.trim().slice(0, 40) : "visitor";
      const sessionId = generateSessionId({ secretKey: opts.secretKey, signed: true });
      const session = await pullSession({ url: opts.dashboardUrl, sessionId, secretKey: opts.secretKey });
      session.document.title = `Dashboard for ${name}`;
      (session.document.get_model_by_name("greeting") as InstanceType<typeof Div>).text = `Hello, ${name}!`;
      await session.flush();
      await session.close();
      res.type("html").send(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>Example site</title></head>
<body><h1>Example site</h1><p>Your dashboard, ${esc(name)}:</p>
${serverSession({ url: opts.dashboardUrl, sessionId })}
</body></html>`);
    } catch (err) {
      next(err);
    }
  });
  return app;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const secretKey = process.env.PLOTHOST_SECRET_KEY;
  if (!secretKey) {
    console.error("Set PLOTHOST_SECRET_KEY first: PLOTHOST_SECRET_KEY=$(npx plothost secret)");
    process.exit(2);
  }
  const plothost = new Server({
    apps: { "/dashboard": fileURLToPath(new URL("./dashboard.ts", import.meta.url)) },
    port: 5006, signSessions: true, secretKey, allowWebsocketOrigin: ["localhost:3000"],
  });
  await plothost.start();
  createSite({ dashboardUrl: `${plothost.address!.url}/dashboard`, secretKey }).listen(3000, "127.0.0.1", () => {
    console.log("site on http://localhost:3000/?name=Ana — plothost on", plothost.address!.url);
  });
}
