import fs from "node:fs";
import type { DocJson } from "../../../shared/index.ts";
import { CommandContext, UsageError, parseCommand, runCommand } from "./cli-context.ts";
import { ProgressBar } from "./progress-bar.ts";

export const PUBLISH_USAGE = `Usage: plothost publish FILE.json [--name NAME] [--public | --visibility private|public|shared] [--url URL] [--json]

Publishes Bokeh document JSON (Document.to_json() in BokehJS or Python, or a json_item) and prints its links.
Private by default; --public gives a link anyone can open without logging in. The upload's progress is shown on
stderr. Columns over the server's --downsample-threshold are stored once and sent to viewers downsampled.
`;

const VISIBILITIES = ["private", "public", "shared"] as const;

/** `plothost publish FILE.json`: a one-off publish of a document saved by any Bokeh. */
export function publish(argv: readonly string[], ctx: CommandContext): Promise<number> {
  return runCommand(ctx, PUBLISH_USAGE, () => ctx.serverUrl(undefined), async () => {
    const { values, positionals, help } = parseCommand(argv,
      { name: { type: "string" }, public: { type: "boolean" }, visibility: { type: "string" }, json: { type: "boolean" } },
      { min: 1, max: 1, usage: "one FILE.json" });
    if (help) return ctx.usage(PUBLISH_USAGE);
    const visibility = values.public ? "public" : (values.visibility ?? "private");
    if (!(VISIBILITIES as readonly string[]).includes(visibility)) throw new UsageError(`--visibility must be one of ${VISIBILITIES.join(", ")}`);
    if (values.public && values.visibility !== undefined && values.visibility !== "public") throw new UsageError("--public and --visibility disagree");
    const file = positionals[0];
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new UsageError(e.code === "ENOENT" ? `no such file: ${file}` : `${file} is not JSON: ${e.message}`);
    }
    const bar = new ProgressBar(ctx.io.stderr, "upload");
    const info = await ctx.session(ctx.serverUrl(values.url)).publishJson(json as DocJson, {
      name: values.name, visibility: visibility as (typeof VISIBILITIES)[number], onUpload: (sent, total) => bar.update(sent, total),
    });
    bar.finish();
    if (values.json) return void ctx.out(JSON.stringify(info));
    ctx.out(`Published "${info.name}" (${info.visibility}), id ${info.id}`);
    ctx.out(`  ${info.url}`);
    if (info.publicUrl) ctx.out(`  public link: ${info.publicUrl}`);
  });
}
