import readline from "node:readline";
import { Writable } from "node:stream";
import { parseGatewayConfig } from "../../../shared/config/index.ts";
import { PlothostError } from "../../../shared/errors/catalogue.ts";
import { openDatabase } from "../db/open-database.ts";
import { AccountService } from "./account-service.ts";
import { AdminService } from "./admin-service.ts";
import { LoginThrottle } from "./login-throttle.ts";
import { PasswordHasher } from "./password-hasher.ts";
import { PrismaAccountStore } from "./prisma-account-store.ts";

export const ADMIN_USAGE = `Usage: plothost admin <create|reset-password> USER [-D DIR | --database-url URL] [--bcrypt-cost N]

  create USER           Create USER as an admin (works whatever the server's mode or --allow-registration).
  reset-password USER   Set a new password for USER and end their login sessions.

The password is read from standard input: prompted for (twice, not echoed) on a terminal, else its first line.
`;

/** Where the CLI reads passwords and writes messages; the real process streams by default, fakes in tests. */
export interface CliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * `plothost admin ...`: account administration straight on the database (the server need not run; it is
 * migrated first like at start-up). Returns the exit code: 0 done, 1 refused (message says why), 2 usage.
 */
export async function runAdminCommand(
  argv: readonly string[], env: Readonly<Record<string, string | undefined>>, projectRoot: string,
  io: CliIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const [action, username, ...flags] = argv;
  if ((action !== "create" && action !== "reset-password") || !username || username.startsWith("-")) {
    io.stderr.write(ADMIN_USAGE);
    return 2;
  }
  const config = parseGatewayConfig(flags, env, projectRoot);
  const password = await readPassword(io, username);
  const database = await openDatabase(config.databaseUrl, config.projectRoot);
  try {
    const store = new PrismaAccountStore(database.db);
    const hasher = new PasswordHasher(config.bcryptCost);
    const accounts = new AccountService({ store, hasher, throttle: new LoginThrottle(store), allowRegistration: true });
    if (action === "create") {
      const user = await accounts.createUser({ username, password, role: "admin" }, { ip: null }, true);
      io.stdout.write(`created admin ${user.username}\n`);
    } else {
      await new AdminService(accounts, hasher).resetPassword(username, password, { ip: null, actor: null });
      io.stdout.write(`password of ${username} reset; their login sessions are ended\n`);
    }
    return 0;
  } catch (err) {
    if (!(err instanceof PlothostError)) throw err;
    io.stderr.write(`plothost admin: ${err.message}\n`);
    return 1;
  } finally {
    await database.close();
  }
}

async function readPassword(io: CliIo, username: string): Promise<string> {
  if (!io.stdin.isTTY) {
    let text = "";
    for await (const chunk of io.stdin) text += chunk.toString();
    return text.split(/\r?\n/)[0] ?? "";
  }
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, cb) {
      if (!muted) io.stdout.write(chunk);
      cb();
    },
  });
  const rl = readline.createInterface({ input: io.stdin, output, terminal: true });
  const ask = (q: string) => new Promise<string>((resolve) => {
    io.stdout.write(q);
    muted = true;
    rl.question("", (a) => {
      muted = false;
      io.stdout.write("\n");
      resolve(a);
    });
  });
  try {
    const first = await ask(`Password for ${username}: `);
    const again = await ask("Repeat it: ");
    if (first !== again) throw new PlothostError("weak_password", "the two passwords differ");
    return first;
  } finally {
    rl.close();
  }
}
