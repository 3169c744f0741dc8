import { CommandContext, UsageError, parseCommand, runCommand } from "./cli-context.ts";

export const ACCOUNT_USAGE = `Usage:
  plothost register [--url URL] [--username U] [--password P]   Create an account and log in
  plothost login    [--url URL] [--username U] [--password P]   Log in; the token is saved for URL
  plothost logout   [--url URL]                                 Revoke the saved token and forget it
  plothost whoami   [--url URL] [--json]                        Who the saved token (or PLOTHOST_TOKEN) is

--url defaults to PLOTHOST_URL, else http://localhost:5006. A missing username or password is prompted for
(the password without echo), or read line by line from standard input when it is not a terminal;
PLOTHOST_PASSWORD gives the password to scripts. Tokens are saved in ~/.plothost/credentials.json
(PLOTHOST_HOME to move it), mode 0600.
`;

const CREDENTIAL_OPTIONS = { username: { type: "string", short: "u" }, password: { type: "string" } } as const;

async function signIn(kind: "register" | "login", argv: readonly string[], ctx: CommandContext): Promise<number> {
  const { values, help } = parseCommand(argv, CREDENTIAL_OPTIONS, { min: 0, max: 0, usage: "no arguments besides the options" });
  if (help) return ctx.usage(ACCOUNT_USAGE);
  const url = ctx.serverUrl(values.url);
  const username = values.username ?? (await ctx.prompter.ask("Username: ")).trim();
  if (!username) throw new UsageError("a username is needed: pass --username U");
  let password = values.password ?? ctx.envPassword;
  if (password === null) {
    password = await ctx.prompter.ask(`Password for ${username}: `, { secret: true });
    if (kind === "register" && ctx.io.stdin.isTTY && (await ctx.prompter.ask("Repeat it: ", { secret: true })) !== password) {
      throw new UsageError("the two passwords differ");
    }
  }
  if (!password) throw new UsageError("a password is needed: pass --password P, set PLOTHOST_PASSWORD, or type it when asked");
  const session = ctx.session(url);
  const user = kind === "register" ? await session.register(username, password) : await session.login(username, password);
  ctx.out(`${kind === "register" ? "Registered and logged in" : "Logged in"} as ${user.username}${user.role === "admin" ? " (admin)" : ""} at ${url}.`);
  ctx.out(`Token saved in ${session.credentials.file}; scripts and plothost commands use it from now on.`);
  return 0;
}

/** `plothost register` and `plothost login`. */
export const register = (argv: readonly string[], ctx: CommandContext) =>
  runCommand(ctx, ACCOUNT_USAGE, () => ctx.serverUrl(undefined), () => signIn("register", argv, ctx));
export const login = (argv: readonly string[], ctx: CommandContext) =>
  runCommand(ctx, ACCOUNT_USAGE, () => ctx.serverUrl(undefined), () => signIn("login", argv, ctx));

/** `plothost logout`: revokes the token on the server and removes it from the credentials file. */
export function logout(argv: readonly string[], ctx: CommandContext): Promise<number> {
  return runCommand(ctx, ACCOUNT_USAGE, () => ctx.serverUrl(undefined), async () => {
    const { values, help } = parseCommand(argv, {}, { min: 0, max: 0, usage: "no arguments besides --url" });
    if (help) return ctx.usage(ACCOUNT_USAGE);
    const url = ctx.serverUrl(values.url);
    const session = ctx.session(url);
    if (session.token === null) {
      ctx.out(`Not logged in to ${url}; nothing to do.`);
      return 0;
    }
    await session.logout();
    ctx.out(`Logged out of ${url}: the token is revoked and removed from ${session.credentials.file}.`);
    return 0;
  });
}

/** `plothost whoami`. */
export function whoami(argv: readonly string[], ctx: CommandContext): Promise<number> {
  return runCommand(ctx, ACCOUNT_USAGE, () => ctx.serverUrl(undefined), async () => {
    const { values, help } = parseCommand(argv, { json: { type: "boolean" } }, { min: 0, max: 0, usage: "no arguments besides the options" });
    if (help) return ctx.usage(ACCOUNT_USAGE);
    const url = ctx.serverUrl(values.url);
    const session = ctx.session(url);
    if (session.token === null && !values.json) {
      ctx.err(`plothost: not logged in to ${url}. Run \`plothost login --url ${url}\` (or set PLOTHOST_TOKEN).`);
      return 1;
    }
    const me = await session.whoami();
    if (values.json) ctx.out(JSON.stringify(me));
    else ctx.out(`${me.user.username} (${me.user.role}) at ${url}, via ${me.via}; scopes: ${me.scopes.join(", ")}`);
    return 0;
  });
}
