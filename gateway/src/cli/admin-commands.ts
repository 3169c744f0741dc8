import { CommandContext, UsageError, parseCommand, runCommand } from "./cli-context.ts";
import { shortTime, table } from "./table.ts";

export const ADMIN_HTTP_USAGE = `Usage (over the admin API, logged in as an admin; each takes --url URL):
  plothost admin create-user USER [--role user|admin] [--password P]   (else PLOTHOST_PASSWORD, else asked)
  plothost admin list-users [--json]
  plothost admin set-role USER user|admin
  plothost admin disable USER        Its logins and tokens stop working until it is enabled again
  plothost admin enable USER

On the server's machine, without a server running: plothost admin create USER | reset-password USER.
`;

/** The `plothost admin` actions that go over HTTP (the others work on the database directly). */
export const ADMIN_HTTP_ACTIONS: ReadonlySet<string> = new Set(["create-user", "list-users", "set-role", "disable", "enable"]);

/** `plothost admin create-user|list-users|set-role|disable|enable`. */
export function adminHttp(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const [action, ...rest] = argv;
  return runCommand(ctx, ADMIN_HTTP_USAGE, () => ctx.serverUrl(undefined), async () => {
    switch (action) {
      case "create-user": {
        const { values, positionals, help } = parseCommand(rest, { role: { type: "string" }, password: { type: "string" } }, { min: 1, max: 1, usage: "the new USER" });
        if (help) return ctx.usage(ADMIN_HTTP_USAGE);
        if (values.role !== undefined && values.role !== "user" && values.role !== "admin") throw new UsageError("--role must be user or admin");
        const url = ctx.serverUrl(values.url);
        const password = values.password ?? ctx.envPassword ?? (await ctx.prompter.ask(`Password for ${positionals[0]}: `, { secret: true }));
        if (!password) throw new UsageError("a password is needed: --password P, PLOTHOST_PASSWORD, or type it when asked");
        const user = await ctx.session(url).admin.createUser({ username: positionals[0], password, role: values.role as "user" | "admin" | undefined });
        ctx.out(`Created ${user.role} ${user.username}.`);
        return;
      }
      case "list-users": {
        const { values, help } = parseCommand(rest, { json: { type: "boolean" } }, { min: 0, max: 0, usage: "no arguments besides the options" });
        if (help) return ctx.usage(ADMIN_HTTP_USAGE);
        const users = await ctx.session(ctx.serverUrl(values.url)).admin.listUsers();
        if (values.json) return void ctx.out(JSON.stringify(users));
        ctx.out(table(["USER", "ROLE", "STATE", "CREATED", "LAST LOGIN"],
          users.map((u) => [u.username, u.role, u.disabled ? "disabled" : "active", shortTime(u.createdAt), shortTime(u.lastLoginAt)])));
        return;
      }
      case "set-role": {
        const { values, positionals, help } = parseCommand(rest, {}, { min: 2, max: 2, usage: "USER and a role (user or admin)" });
        if (help) return ctx.usage(ADMIN_HTTP_USAGE);
        const role = positionals[1];
        if (role !== "user" && role !== "admin") throw new UsageError("the role must be user or admin");
        const user = await ctx.session(ctx.serverUrl(values.url)).admin.setRole(positionals[0], role);
        ctx.out(`${user.username} is now ${user.role}.`);
        return;
      }
      case "disable":
      case "enable": {
        const { values, positionals, help } = parseCommand(rest, {}, { min: 1, max: 1, usage: "the USER" });
        if (help) return ctx.usage(ADMIN_HTTP_USAGE);
        const user = await ctx.session(ctx.serverUrl(values.url)).admin.setDisabled(positionals[0], action === "disable");
        ctx.out(`${user.username} is ${user.disabled ? "disabled: its logins and tokens are refused" : "enabled"}.`);
        return;
      }
      default:
        throw new UsageError(`unknown action "admin ${action ?? ""}"`);
    }
  });
}
