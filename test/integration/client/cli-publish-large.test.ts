import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ColumnDataSource, Document, figure, runWithDocument } from "../../../shared/index.ts";
import { startGateway } from "../../helpers/start-gateway.ts";
import { runCli } from "./run-cli.ts";

const N = 200_000; // 3.2 MB of float64 columns, ~4.3 MB of JSON: over the default --downsample-threshold

/** `plothost publish` of a large document: an upload progress bar, and the columns stored once as published. */
describe("plothost publish of a large JSON document", { timeout: 120_000 }, () => {
  let gw: Awaited<ReturnType<typeof startGateway>>;
  let file: string;
  beforeAll(async () => {
    gw = await startGateway(["--backend", "memory"]);
    const doc = new Document();
    runWithDocument(doc, () => {
      const t = Float64Array.from({ length: N }, (_, i) => i);
      const p = figure({ title: "big" });
      p.line({ x: "t", y: "v", source: new ColumnDataSource({ name: "series", data: { t, v: t.map((x) => Math.sin(x / 1000)) } }) });
      doc.add_root(p);
    });
    file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plothost-big-")), "big.json");
    fs.writeFileSync(file, JSON.stringify(doc.to_json()));
  });
  afterAll(async () => {
    await gw?.close();
    if (file) fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it("shows the upload's progress on stderr (each quarter, off a terminal) and publishes the full columns", async () => {
    const size = fs.statSync(file).size;
    const run = await runCli(["publish", file, "--name", "big", "--json"], { PLOTHOST_URL: gw.url, PLOTHOST_HOME: path.dirname(file) });
    expect(run.code).toBe(0);
    const lines = run.stderr.split("\n").filter((l) => l.startsWith("upload "));
    // One line as each quarter is reached (the first chunk is in the first quarter), the last at 100%.
    const quarters = lines.map((l) => Math.floor(Number(/^upload (\d+)%/.exec(l)![1]) / 25));
    expect(quarters).toEqual([0, 1, 2, 3, 4]);
    expect(lines.at(-1)).toBe(`upload 100% (${(size / 1024 / 1024).toFixed(1)} MB / ${(size / 1024 / 1024).toFixed(1)} MB)`);
    const info = JSON.parse(run.stdout) as { id: string; name: string };
    expect(info.name).toBe("big");
    const stored = Document.from_json(await (await fetch(`${gw.url}/api/v1/docs/${info.id}`)).json());
    const source = stored.get_model_by_name("series")!;
    expect((source.get<Map<string, unknown>>("data").get("t") as Float64Array).length).toBe(N);
  });
});
