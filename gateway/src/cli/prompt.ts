import readline from "node:readline";
import { Writable } from "node:stream";

/** Where a CLI command reads answers and writes output; the process's streams, or fakes in tests. */
export interface CliIo {
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * Asks for missing values. On a terminal it prompts (secrets without echo); otherwise it reads successive lines
 * of standard input, so `printf 'ana\nsecret\n' | plothost login` works. Answers end at a newline.
 */
export class Prompter {
  private lines: AsyncIterator<string> | null = null;

  constructor(private readonly io: CliIo) {}

  /** Asks `question`; `secret` hides what is typed. Resolves with "" when standard input has ended. */
  async ask(question: string, opts: { secret?: boolean } = {}): Promise<string> {
    if (!this.io.stdin.isTTY) return this.nextLine();
    let muted = false;
    const output = new Writable({
      write: (chunk, _enc, cb) => {
        if (!muted) this.io.stderr.write(chunk);
        cb();
      },
    });
    const rl = readline.createInterface({ input: this.io.stdin, output, terminal: true });
    try {
      return await new Promise<string>((resolve) => {
        this.io.stderr.write(question);
        muted = opts.secret === true;
        rl.question("", (answer) => {
          if (muted) this.io.stderr.write("\n");
          resolve(answer);
        });
      });
    } finally {
      rl.close();
    }
  }

  private async nextLine(): Promise<string> {
    this.lines ??= readline.createInterface({ input: this.io.stdin, crlfDelay: Infinity })[Symbol.asyncIterator]();
    const next = await this.lines.next();
    return next.done ? "" : next.value;
  }
}
