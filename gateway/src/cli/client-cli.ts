import { login, logout, register, whoami } from "./account-commands.ts";
import { ADMIN_HTTP_ACTIONS, adminHttp } from "./admin-commands.ts";
import { apps, deploy, logs } from "./app-commands.ts";
import { CommandContext } from "./cli-context.ts";
import type { CliIo } from "./prompt.ts";
import { publish } from "./publish-command.ts";
import { token } from "./token-commands.ts";

/** The client commands' lines for `plothost --help`. */
export const CLIENT_USAGE = `Client commands (talk to a running server; --url URL, default PLOTHOST_URL or http://localhost:5006):
  register | login    Create an account / log in; the token is saved in ~/.plothost/credentials.json
  logout | whoami     Revoke and forget the saved token / show who it is
  token create|list|revoke   Your API tokens (e.g. a token for CI: PLOTHOST_TOKEN)
  publish FILE.json   Publish Bokeh document JSON and print its links
  deploy DIR|FILE     Upload an app, with progress, and wait until it runs
  apps | logs APP [-f]  List the deployed apps / print an app's log
  admin create-user|list-users|set-role|disable|enable   Manage users over the admin API
Run \`plothost COMMAND --help\` for a command's options.
`;

type Command = (argv: readonly string[], ctx: CommandContext) => Promise<number>;

const COMMANDS: Readonly<Record<string, Command>> = { register, login, logout, whoami, token, publish, deploy, apps, logs, admin: adminHttp };

/** Whether `plothost <command> <rest...>` is a client command (`admin create`/`reset-password` are not: they work on the database). */
export function isClientCommand(command: string, rest: readonly string[]): boolean {
  if (command === "admin") return rest[0] !== undefined && ADMIN_HTTP_ACTIONS.has(rest[0]);
  return Object.hasOwn(COMMANDS, command);
}

/** Runs a client command; resolves with its exit code (0 done, 1 refused by or unreachable server, 2 usage). */
export function runClientCommand(
  command: string, argv: readonly string[], env: Readonly<Record<string, string | undefined>>,
  io: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  return COMMANDS[command](argv, new CommandContext(io, env));
}

