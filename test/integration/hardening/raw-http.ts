import net from "node:net";

/** What a server did with bytes written on a raw TCP connection. */
export interface RawExchange {
  /** Everything the server sent, as latin1 text. */
  text: string;
  /** The status code of the first response, or null when none came. */
  status: number | null;
  /** Whether the server closed the connection (false: still open when `waitMs` ran out). */
  closed: boolean;
  /** Milliseconds from connecting to the server's close (or to giving up). */
  ms: number;
}

/**
 * Opens a TCP connection to 127.0.0.1:`port`, writes `request` as is (no normalisation of paths or headers, unlike
 * fetch), then `trickle` pieces one every `trickleMs` (a slow client), and reads until the server closes the
 * connection or `waitMs` passes. Requests should say `connection: close` when the test waits for the close.
 */
export function rawExchange(port: number, request: string, opts: { waitMs?: number; trickle?: string[]; trickleMs?: number } = {}): Promise<RawExchange> {
  const waitMs = opts.waitMs ?? 10_000;
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    let ticker: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      clearInterval(ticker);
      socket.destroy();
      const text = Buffer.concat(chunks).toString("latin1");
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ text, status: m ? Number(m[1]) : null, closed, ms: Date.now() - started });
    };
    socket.on("data", (d) => chunks.push(d));
    socket.on("close", () => finish(true));
    socket.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "ECONNRESET" || err.code === "EPIPE") return; // the close follows
      reject(err);
    });
    socket.on("connect", () => {
      socket.write(request);
      const pieces = [...(opts.trickle ?? [])];
      if (pieces.length > 0) {
        ticker = setInterval(() => {
          const next = pieces.shift();
          if (next === undefined) return void clearInterval(ticker);
          if (!socket.destroyed) socket.write(next);
        }, opts.trickleMs ?? 100);
      }
      timer = setTimeout(() => finish(false), waitMs);
    });
  });
}
