import { parseArgs, type ParseArgsConfig } from "node:util";
import { PlothostClientError, Session } from "../../../client/index.ts";
import { readClientEnv } from "../../../client/client-env.ts";
import { Prompter, type CliIo } from "./prompt.ts";

/** A mistake in how the command was called: exit code 2, with the message and where to read the usage. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** `--url` and `--help`, which every client command takes. */
export const COMMON_OPTIONS = {
  url: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const satisfies Options;

/**
 * What a client command runs with: its streams, the environment (the CLI's composition root reads
 * `PLOTHOST_URL`, `PLOTHOST_PASSWORD`, and through the client `PLOTHOST_HOME`/`PLOTHOST_TOKEN`, only here), a
 * prompter for missing answers, and the server URL from `--url`, `PLOTHOST_URL` or the default.
 */
export class CommandContext {
  readonly prompter: Prompter;

  constructor(readonly io: CliIo, readonly env: Readonly<Record<string, string | undefined>>) {
    this.prompter = new Prompter(io);
  }

  /** `PLOTHOST_PASSWORD`, for scripts (null when unset). */
  get envPassword(): string | null {
    const p = this.env.PLOTHOST_PASSWORD;
    return p !== undefined && p !== "" ? p : null;
  }

  /** The server URL to use: `--url`, else `PLOTHOST_URL`, else http://localhost:5006. */
  serverUrl(flag: string | undefined): string {
    const url = flag ?? readClientEnv(this.env).rootUrl;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError(`--url must be the server's address, such as http://localhost:5006 (got "${url}")`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new UsageError(`--url must start with http:// or https:// (got "${url}")`);
    return url.replace(/\/+$/, "");
  }

  /** A client session on `url`, its token from the credentials file or `PLOTHOST_TOKEN`. */
  session(url: string): Session {
    return new Session({ rootUrl: url, env: this.env });
  }

  /** Prints a command's usage (for --help) and returns exit code 0. */
  usage(text: string): number {
    this.io.stdout.write(text);
    return 0;
  }

  out(line: string): void {
    this.io.stdout.write(`${line}\n`);
  }

  err(line: string): void {
    this.io.stderr.write(`${line}\n`);
  }
}

/** Parses a command's arguments, turning parseArgs' complaints into usage errors. */
export function parseCommand<O extends Options>(argv: readonly string[], options: O, positionals: { min: number; max: number; usage: string }) {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const help = (parsed.values as { help?: boolean }).help === true;
  if (!help && (parsed.positionals.length < positionals.min || parsed.positionals.length > positionals.max)) {
    throw new UsageError(`expected ${positionals.usage}`);
  }
  return { values: parsed.values as { [K in keyof (O & typeof COMMON_OPTIONS)]?: ParsedValue<(O & typeof COMMON_OPTIONS)[K]> }, positionals: parsed.positionals, help };
}

type ParsedValue<T> = T extends { type: "boolean"; multiple: true } ? boolean[]
  : T extends { type: "boolean" } ? boolean
    : T extends { multiple: true } ? string[] : string;

/** What to do next after a failed request, by the server's error code. */
function hint(err: PlothostClientError, url: string): string | null {
  switch (err.code) {
    case "unauthenticated":
    case "token_invalid":
    case "token_revoked":
    case "token_expired":
      return `Log in with \`plothost login --url ${url}\` (or set PLOTHOST_TOKEN to an API token).`;
    case "admin_required":
      return "Log in as an admin (`plothost login`), or ask one.";
    default:
      return null;
  }
}

/**
 * Runs a command body and turns its outcome into an exit code: 0 done, 1 the server refused or could not be
 * reached (the server's message, plus what to do next), 2 a usage error. Anything else is a bug and is rethrown.
 */
export async function runCommand(ctx: CommandContext, usage: string, url: () => string, body: () => Promise<number | void>): Promise<number> {
  try {
    return (await body()) ?? 0;
  } catch (err) {
    if (err instanceof UsageError) {
      ctx.err(`plothost: ${err.message}\n\n${usage.trimEnd()}`);
      return 2;
    }
    if (err instanceof PlothostClientError) {
      let where = "";
      try {
        where = url();
      } catch {
        // the URL itself was the problem; the message says so
      }
      const next = hint(err, where);
      ctx.err(`plothost: ${err.message}${next ? `\n${next}` : ""}`);
      return 1;
    }
    throw err;
  }
}
