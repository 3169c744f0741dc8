/**
 * Publishes a live plot from a script and keeps streaming into it; viewers see every point as it arrives.
 *
 *   npx plothost register --url http://localhost:5006     # once: the token is saved in ~/.plothost
 *   npx tsx examples/publish.ts [--points N] [--interval MS]
 *
 * The server is PLOTHOST_URL (default http://localhost:5006); no password appears here: the Session uses the
 * saved token (or PLOTHOST_TOKEN). Open the printed public link in a browser to watch.
 */
import { parseArgs } from "node:util";
import { ColumnDataSource, Session, figure } from "plothost/client";

const { values } = parseArgs({ options: { points: { type: "string", default: "30" }, interval: { type: "string", default: "1000" } } });
const points = Number(values.points);
const intervalMs = Number(values.interval);

const session = new Session();
const start = Date.now();
const source = new ColumnDataSource({ data: { t: [0], price: [100] }, name: "prices" });
const p = figure({ title: "Sales", x_axis_label: "seconds", y_axis_label: "price", width: 700, height: 350 });
p.line({ x: "t", y: "price", source, line_width: 2 });
p.scatter({ x: "t", y: "price", source, size: 6 });

const doc = await session.publish(p, { name: "sales", visibility: "public" });
console.log(`published:   ${doc.url}`);
console.log(`public link: ${doc.publicUrl}`);
doc.on("change", (ev) => console.log(`a viewer changed ${ev.kind === "ModelChanged" ? ev.attr : ev.kind}`));
doc.on("disconnect", () => console.log("connection lost; reconnecting (points are kept)"));
doc.on("reconnect", () => console.log("reconnected"));

let price = 100;
for (let i = 1; i <= points; i++) {
  price = Math.round((price + (Math.random() - 0.5) * 4) * 100) / 100;
  await doc.stream(source, { t: [(Date.now() - start) / 1000], price: [price] }, { rollover: 1000 });
  if (intervalMs > 0 && i < points) await new Promise((resolve) => setTimeout(resolve, intervalMs));
}
console.log(`streamed ${points} points`);
await session.close();
