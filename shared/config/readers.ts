/**
 * Small typed readers used by the config parsers. Each records a problem instead of throwing, so that a parser
 * can report every bad flag and env var at once.
 */
export class Readers {
  readonly problems: string[] = [];

  int(name: string, raw: string | undefined, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      this.problems.push(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
      return fallback;
    }
    return n;
  }

  bool(name: string, raw: string | boolean | undefined, fallback: boolean): boolean {
    if (raw === undefined || raw === "") return fallback;
    if (typeof raw === "boolean") return raw;
    const v = raw.toLowerCase();
    if (["1", "true", "yes", "on"].includes(v)) return true;
    if (["0", "false", "no", "off"].includes(v)) return false;
    this.problems.push(`${name} must be a boolean (1/0, true/false; got "${raw}")`);
    return fallback;
  }

  oneOf<T extends string>(name: string, raw: string | undefined, allowed: readonly T[], fallback: T): T {
    if (raw === undefined || raw === "") return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name} must be one of ${allowed.join(", ")} (got "${raw}")`);
    return fallback;
  }

  required(name: string, raw: string | undefined): string {
    if (raw === undefined || raw === "") {
      this.problems.push(`${name} is required`);
      return "";
    }
    return raw;
  }
}
