import type { TokenScope } from "../../../client/index.ts";
import { CommandContext, UsageError, parseCommand, runCommand } from "./cli-context.ts";
import { shortTime, table } from "./table.ts";

export const TOKEN_USAGE = `Usage:
  plothost token create [--name NAME] [--scopes read,publish,deploy,admin] [--expires ISO-TIME] [--json]
  plothost token list   [--json]
  plothost token revoke ID
  (each also takes --url URL)

create prints the new token alone on standard output (it is shown only this once), so
  export PLOTHOST_TOKEN=$(plothost token create --name ci --scopes read,publish)
gives a CI job its own revocable token. Default scopes: read.
`;

const SCOPES = new Set(["read", "publish", "deploy", "admin"]);

/** `plothost token create|list|revoke`: your API tokens, with the saved login. */
export function token(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const [action, ...rest] = argv;
  return runCommand(ctx, TOKEN_USAGE, () => ctx.serverUrl(undefined), async () => {
    if (action === undefined || action === "-h" || action === "--help") return ctx.usage(TOKEN_USAGE);
    if (action === "create") {
      const { values, help } = parseCommand(rest, { name: { type: "string" }, scopes: { type: "string" }, expires: { type: "string" }, json: { type: "boolean" } },
        { min: 0, max: 0, usage: "no arguments besides the options" });
      if (help) return ctx.usage(TOKEN_USAGE);
      const scopes = values.scopes?.split(",").map((s) => s.trim()).filter(Boolean);
      const unknown = scopes?.filter((s) => !SCOPES.has(s)) ?? [];
      if (unknown.length > 0) throw new UsageError(`unknown scope ${unknown.join(", ")}: scopes are read, publish, deploy, admin`);
      const made = await ctx.session(ctx.serverUrl(values.url)).tokens.create({ name: values.name, scopes: scopes as TokenScope[] | undefined, expiresAt: values.expires });
      if (values.json) return void ctx.out(JSON.stringify(made));
      ctx.err(`Created token ${made.id} "${made.name}" (${made.scopes.join(", ")}${made.expiresAt ? `, expires ${made.expiresAt}` : ""}); copy it now, it is not shown again:`);
      ctx.out(made.token);
      return;
    }
    if (action === "list") {
      const { values, help } = parseCommand(rest, { json: { type: "boolean" } }, { min: 0, max: 0, usage: "no arguments besides the options" });
      if (help) return ctx.usage(TOKEN_USAGE);
      const tokens = await ctx.session(ctx.serverUrl(values.url)).tokens.list();
      if (values.json) return void ctx.out(JSON.stringify(tokens));
      ctx.out(table(["ID", "NAME", "KIND", "PREFIX", "SCOPES", "CREATED", "LAST USED", "EXPIRES"],
        tokens.map((t) => [String(t.id), t.name, t.kind, t.prefix, t.scopes.join(","), shortTime(t.createdAt), shortTime(t.lastUsedAt), shortTime(t.expiresAt)])));
      return;
    }
    if (action === "revoke") {
      const { values, positionals, help } = parseCommand(rest, {}, { min: 1, max: 1, usage: "the token's ID (see `plothost token list`)" });
      if (help) return ctx.usage(TOKEN_USAGE);
      const id = Number(positionals[0]);
      if (!Number.isSafeInteger(id) || id <= 0) throw new UsageError(`"${positionals[0]}" is not a token ID; \`plothost token list\` shows them`);
      await ctx.session(ctx.serverUrl(values.url)).tokens.revoke(id);
      ctx.out(`Revoked token ${id}.`);
      return;
    }
    throw new UsageError(`unknown action "token ${action}"`);
  });
}
