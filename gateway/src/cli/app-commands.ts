import fs from "node:fs";
import path from "node:path";
import { packApp } from "../../../client/index.ts";
import { CommandContext, UsageError, parseCommand, runCommand } from "./cli-context.ts";
import { ProgressBar, formatBytes } from "./progress-bar.ts";
import { table } from "./table.ts";

export const APP_USAGE = `Usage (each takes --url URL):
  plothost deploy DIR|FILE [--name NAME]   Upload an app (a directory or one module) and wait for it to run
  plothost apps [--json]                   List the deployed apps
  plothost logs APP [-f|--follow]          Print an app's log (-f: keep printing new lines until Ctrl-C)

deploy packs the directory (main.ts at its top; without .git and node_modules) or the one module as a .tar.gz,
shows the upload's progress and then the deploy job's steps; it exits 0 once the new version serves, 1 if the
deploy failed (the previous version keeps serving). NAME defaults to the directory's (or file's) name.
`;

const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/i;

/** `plothost deploy DIR|FILE`. */
export function deploy(argv: readonly string[], ctx: CommandContext): Promise<number> {
  return runCommand(ctx, APP_USAGE, () => ctx.serverUrl(undefined), async () => {
    const { values, positionals, help } = parseCommand(argv, { name: { type: "string" } }, { min: 1, max: 1, usage: "the app's DIR or FILE" });
    if (help) return ctx.usage(APP_USAGE);
    const target = path.resolve(positionals[0]);
    if (!fs.existsSync(target)) throw new UsageError(`no such file or directory: ${positionals[0]}`);
    const name = values.name ?? path.basename(target).replace(/\.[cm]?[jt]s$/, "");
    if (!NAME.test(name)) throw new UsageError(`"${name}" cannot be an app name (letters, digits, _ and -); pass --name NAME`);
    const apps = ctx.session(ctx.serverUrl(values.url)).apps;
    const archive = packApp(target);
    ctx.err(`Packed ${positionals[0]} (${formatBytes(archive.byteLength)}); deploying as "${name}"`);
    const bar = new ProgressBar(ctx.io.stderr, "upload");
    const started = await apps.deploy(name, archive, { onUpload: (sent, total) => bar.update(sent, total) });
    bar.finish();
    ctx.err(`version ${started.version} uploaded; deploy job ${started.deploy.id}`);
    // Each step the job went through is printed once, from the job's own list of steps, however fast it was.
    let printed = 0;
    const job = await apps.waitForDeploy(name, started.deploy.id, {
      onProgress: (j) => {
        const steps = j.steps ?? (j.step ? [{ step: j.step, progress: j.progress }] : []);
        for (const s of steps.slice(printed)) ctx.err(`deploy ${j.id}: running (${s.step}, ${s.progress}%)`);
        printed = Math.max(printed, steps.length);
        if (j.state !== "running") ctx.err(`deploy ${j.id}: ${j.state}${j.error ? `: ${j.error}` : ""}`);
      },
    });
    if (job.state !== "done") {
      ctx.err(`plothost: the deploy of ${name} failed${job.error ? `: ${job.error}` : ""}. The previous version (if any) keeps serving; read \`plothost logs ${name}\`.`);
      return 1;
    }
    ctx.out(`Deployed ${name} version ${started.version}: ${started.app.url}`);
  });
}

/** `plothost apps`. */
export function apps(argv: readonly string[], ctx: CommandContext): Promise<number> {
  return runCommand(ctx, APP_USAGE, () => ctx.serverUrl(undefined), async () => {
    const { values, help } = parseCommand(argv, { json: { type: "boolean" } }, { min: 0, max: 0, usage: "no arguments besides the options" });
    if (help) return ctx.usage(APP_USAGE);
    const list = await ctx.session(ctx.serverUrl(values.url)).apps.list();
    if (values.json) return void ctx.out(JSON.stringify(list));
    if (list.length === 0) return void ctx.out("No apps deployed yet. Deploy one with `plothost deploy DIR`.");
    ctx.out(table(["APP", "STATE", "VERSION", "URL"], list.map((a) => [a.name, a.state, a.currentVersion === null ? "-" : String(a.currentVersion), a.url])));
  });
}

/** `plothost logs APP [-f]`. */
export function logs(argv: readonly string[], ctx: CommandContext): Promise<number> {
  return runCommand(ctx, APP_USAGE, () => ctx.serverUrl(undefined), async () => {
    const { values, positionals, help } = parseCommand(argv, { follow: { type: "boolean", short: "f" } }, { min: 1, max: 1, usage: "the APP's name" });
    if (help) return ctx.usage(APP_USAGE);
    const apps = ctx.session(ctx.serverUrl(values.url)).apps;
    if (!values.follow) {
      for (const line of await apps.logs(positionals[0])) ctx.out(line);
      return;
    }
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      for await (const line of apps.follow(positionals[0], { signal: stop.signal })) ctx.out(line);
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  });
}
