import os from "node:os";
import path from "node:path";

/** The server a client talks to when nothing else says: `bokeh serve`'s default address. */
export const DEFAULT_ROOT_URL = "http://localhost:5006";

/**
 * What the client library takes from the environment. The client is a composition root of its own (scripts
 * import it without a gateway), and this is the one place it reads `process.env`; every value can be overridden
 * through `Session` options instead.
 */
export interface ClientEnv {
  /** Directory of `credentials.json`: `PLOTHOST_HOME`, else `~/.plothost`. */
  readonly home: string;
  /** `PLOTHOST_TOKEN`: an API token that beats stored credentials (CI jobs); null when unset. */
  readonly token: string | null;
  /** `PLOTHOST_URL`, else {@link DEFAULT_ROOT_URL}. */
  readonly rootUrl: string;
}

const nonEmpty = (v: string | undefined): string | null => (v !== undefined && v.trim() !== "" ? v.trim() : null);

/** Reads {@link ClientEnv} from `env` (the process environment by default). */
export function readClientEnv(env: Readonly<Record<string, string | undefined>> = process.env): ClientEnv {
  return {
    home: nonEmpty(env.PLOTHOST_HOME) ?? path.join(os.homedir(), ".plothost"),
    token: nonEmpty(env.PLOTHOST_TOKEN),
    rootUrl: nonEmpty(env.PLOTHOST_URL) ?? DEFAULT_ROOT_URL,
  };
}
